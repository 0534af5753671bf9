"""The one-stop approval process (一站式审批, HC-11, HC-14a, HC-03): applications at a station
or online, applicants, channels, visits and ratings, the dashboard, and their records."""
