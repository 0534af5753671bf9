"""A tiny seeded generator (splitmix64) for the synthetic district: the same seed gives the
same district on every machine and Python version, with no library in policies/."""

import itertools

_MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, seed: int):
        self.state = seed & _MASK

    def _next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next() >> 11) / float(1 << 53)

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.random()

    def randbelow(self, n: int) -> int:
        return self._next() % n

    def choice(self, items):
        return items[self.randbelow(len(items))]

    def choices(self, items, weights=None, k: int = 1):
        if weights is None:
            return [self.choice(items) for _ in range(k)]
        cumulative = list(itertools.accumulate(weights))
        total = cumulative[-1]
        out = []
        for _ in range(k):
            x = self.random() * total
            lo, hi = 0, len(cumulative) - 1
            while lo < hi:  # the first cumulative weight above x
                mid = (lo + hi) // 2
                if cumulative[mid] > x:
                    hi = mid
                else:
                    lo = mid + 1
            out.append(items[lo])
        return out

    def sample(self, items, k: int):
        pool = list(items)
        for i in range(k):
            j = i + self.randbelow(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]
