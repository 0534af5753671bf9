"""The work layer (BPM): the machinery every process uses to run cases. Cases, work items
(human tasks), deadlines, escalations, extensions, process versions, the outbox that hands cases
to their Prefect runs, and the reconciler that re-drives them. What one process needs to know
of another it reads here, never from the other process."""
