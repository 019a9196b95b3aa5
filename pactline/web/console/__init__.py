"""The agent console: my queue, the console case view, and the supervisors' queue view."""
