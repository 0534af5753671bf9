"""Who may read what in the handbook: the policy pages are public policy; how cases actually
went (process mining) and the dashboards are for auditors and administrators."""

from policies.access import Actor, Role

MINING_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


def may_read_mining(actor: Actor) -> bool:
    return actor.role in MINING_ROLES
