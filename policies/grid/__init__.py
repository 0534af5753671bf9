"""The grid loop (网格闭环, QL-06, QL-07, LK-06, HC-03): staffing, categories, the loop."""
