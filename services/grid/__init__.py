"""The grid loop (网格闭环): issues reported in a grid, handled, supervised, fed back, evaluated."""
