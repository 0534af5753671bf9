"""Joint meetings (党建联席会议): one flow run per meeting, started by each body's schedule."""
