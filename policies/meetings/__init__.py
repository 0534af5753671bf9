"""Joint meetings (党建联席会议, QL-10a/b/c, QL-09, HC-01, LK-01): bodies and members, cadences,
quorum, resolutions and their follow-up, as rules over dated data."""
