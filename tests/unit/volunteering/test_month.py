"""The month's slots, candidates and generated districts, as a secretary would read them."""

from policies.volunteering import generator
from policies.volunteering.model import SlotKind
from policies.volunteering.slots import month_slots
from services.platform.reference_data import read_calendar
from services.volunteering import reference


def test_national_day_turns_weekday_evenings_into_daytime_slots(settings):
    slots = {s.code: s for s in month_slots("2026-10", read_calendar(), settings)}
    assert slots["2026-10-01-am"].kind is SlotKind.WEEKEND      # a Thursday, a holiday
    assert "2026-10-01-evening" not in slots
    assert slots["2026-10-10-evening"].kind is SlotKind.EVENING  # a make-up working Saturday
    assert "2026-10-10-am" not in slots


def test_december_2026_has_16_weekend_and_23_evening_slots(settings):
    slots = month_slots("2026-12", read_calendar(), settings)
    assert sum(s.kind is SlotKind.WEEKEND for s in slots) == 16
    assert sum(s.kind is SlotKind.EVENING for s in slots) == 23
    assert {s.code for s in slots if s.unpopular} >= {"2026-12-06-pm", "2026-12-04-evening"}


def test_the_article_size_district_is_the_same_every_time():
    one = reference.generated_district(**generator.ARTICLE)
    two = reference.generated_district(**generator.ARTICLE)
    assert (len(one.units), len(one.members), len(one.communities)) == (195, 5837, 16)
    assert one.members[100] == two.members[100]
    assert one.communities[0].name_zh == "海沧社区"
    assert all(len(c.projects) >= 1 for c in one.contracts)
    assert {m.requested for m in one.members} == {1, 2}


def test_a_closed_date_holds_no_activity(small_district):
    instance = reference.month_instance("2026-12", small_district,
                                        closed=frozenset({"2026-12-05-am"}))
    assert instance.activities
    assert all(a.slot != "2026-12-05-am" for a in instance.activities)
