"""Calls: imported telephony records and live call events."""
