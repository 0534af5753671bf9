"""Joint meetings (党建联席会议, QL-10a/b/c, QL-09, HC-01, LK-01): convening on cadence, the
agenda from members' matters and the platform's overdue work, the meeting's record, minutes,
resolutions followed to closure (督办), and the compliance of each body's periods."""
