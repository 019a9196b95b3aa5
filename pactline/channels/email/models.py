"""Email: inbound messages, threading, quarantine and outbound replies."""
