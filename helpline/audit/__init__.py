"""The audit trail: who changed what, when, from where, before and after — append-only and
hash-chained (docs/decisions/0182). Sits just above ``core`` so that every app can record."""
