"""Personal data on request (India's DPDP Act, GDPR; issue 21, decision 0183): export all we
hold about a person as one archive, erase a person (a pseudonym everywhere), and the retention
of closed tickets and raw mail. Composes each app's ``personal_data`` module."""
