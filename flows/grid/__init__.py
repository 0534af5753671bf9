"""The grid loop's flow: one run per reported issue (网格闭环)."""
