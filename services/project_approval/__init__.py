"""Parallel project approval (并联审批, HC-14b): construction projects decided by several
departments at once within a 5-day commitment, joint reviews, the permit."""
