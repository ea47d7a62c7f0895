"""Helpline: the support desk of the e-commerce platform."""
