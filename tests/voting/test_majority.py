"""Majority rules, table-driven: base, threshold, outcome, ties, all-abstain, empty, runoffs."""

import pytest

from voting.verify import compute_result


def yes_no(yes, no, abstain, *, majority="simple", in_base=False, present=0, candidates=()):
    counts = {"yes": yes, "no": no, "abstain": abstain}
    return compute_result(
        mode="yes_no",
        candidates=list(candidates),
        counts=counts,
        cast=yes + no + abstain,
        majority=majority,
        abstentions_in_base=in_base,
        present=present,
        seats=1 if candidates else 0,
        runoff_rule="leading",
    )


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "majority", "in_base", "present", "base", "threshold", "outcome"),
    [
        (47, 8, 0, "absolute_cast", False, 0, 55, 28, "adopted"),
        (30, 20, 5, "simple", False, 0, 50, 21, "adopted"),
        (20, 20, 5, "simple", False, 0, 40, 21, "rejected"),  # tie
        (10, 9, 30, "simple", False, 0, 19, 10, "adopted"),  # abstentions do not matter
        (25, 20, 10, "absolute_cast", True, 0, 55, 28, "rejected"),  # abstain in base
        (25, 20, 10, "absolute_cast", False, 0, 45, 23, "adopted"),
        (30, 5, 0, "absolute_present", False, 58, 58, 30, "adopted"),
        (29, 5, 0, "absolute_present", False, 58, 58, 30, "rejected"),
        (37, 18, 0, "two_thirds_cast", False, 0, 55, 37, "adopted"),
        (36, 19, 0, "two_thirds_cast", False, 0, 55, 37, "rejected"),
        (20, 10, 0, "two_thirds_cast", False, 0, 30, 20, "adopted"),  # exactly two thirds
        (0, 0, 12, "absolute_cast", False, 0, 0, 1, "rejected"),  # all abstain
        (0, 0, 0, "simple", False, 0, 0, 1, "no_votes"),  # empty poll
        (0, 0, 0, "absolute_present", False, 40, 40, 21, "no_votes"),
    ],
)
def test_resolution_outcome_base_and_threshold(
    yes, no, abstain, majority, in_base, present, base, threshold, outcome
):
    result = yes_no(yes, no, abstain, majority=majority, in_base=in_base, present=present)
    assert (result["base"], result["threshold"], result["outcome"]) == (base, threshold, outcome)
    assert result["abstentions"] == abstain


def test_resolution_tie_is_marked_as_a_tie_and_rejected():
    result = yes_no(20, 20, 0)
    assert result["tie"] is True
    assert result["outcome"] == "rejected"
    assert result["runoff"] == []


def test_lone_candidate_is_a_yes_no_vote():
    result = yes_no(30, 10, 2, majority="absolute_cast", candidates=["7"])
    assert result["outcome"] == "elected"
    assert result["elected"] == ["7"]
    assert yes_no(10, 30, 2, majority="absolute_cast", candidates=["7"])["outcome"] == (
        "not_elected"
    )


def election(counts, *, cast, seats=1, majority="absolute_cast", rule="leading", present=0):
    return compute_result(
        mode="candidates",
        candidates=[c for c in counts if c != "abstain"],
        counts=counts,
        cast=cast,
        majority=majority,
        abstentions_in_base=False,
        present=present,
        seats=seats,
        runoff_rule=rule,
    )


@pytest.mark.parametrize(
    ("counts", "cast", "seats", "majority", "rule", "outcome", "elected", "runoff"),
    [
        # Two seats, each voter up to two marks: Kampala and São Paulo pass 28 of 55.
        (
            {"k": 40, "s": 35, "u": 20, "abstain": 0},
            55,
            2,
            "absolute_cast",
            "leading",
            "elected",
            ["k", "s"],
            [],
        ),
        # One passes, the second seat goes to a runoff between the next two.
        (
            {"k": 40, "s": 25, "u": 20, "abstain": 0},
            55,
            2,
            "absolute_cast",
            "leading",
            "runoff",
            ["k"],
            ["s", "u"],
        ),
        # Nobody reaches the majority for one seat: the leading two go to a runoff.
        (
            {"a": 20, "b": 18, "c": 17, "abstain": 0},
            55,
            1,
            "absolute_cast",
            "leading",
            "runoff",
            [],
            ["a", "b"],
        ),
        # A tie at the top with plurality: runoff among the tied only.
        (
            {"a": 20, "b": 20, "c": 10, "abstain": 0},
            50,
            1,
            "simple",
            "tied",
            "runoff",
            [],
            ["a", "b"],
        ),
        # A tie for the second of the leading places takes every tied candidate along.
        (
            {"a": 20, "b": 15, "c": 15, "abstain": 0},
            50,
            1,
            "absolute_cast",
            "leading",
            "runoff",
            [],
            ["a", "b", "c"],
        ),
        # Everybody abstains: nobody elected, no runoff.
        ({"a": 0, "b": 0, "abstain": 30}, 30, 1, "absolute_cast", "leading", "no_votes", [], []),
        # Empty poll.
        ({"a": 0, "b": 0, "abstain": 0}, 0, 1, "simple", "leading", "no_votes", [], []),
        # Plurality winner.
        ({"a": 21, "b": 20, "abstain": 3}, 44, 1, "simple", "leading", "elected", ["a"], []),
    ],
)
def test_election_outcome(counts, cast, seats, majority, rule, outcome, elected, runoff):
    result = election(counts, cast=cast, seats=seats, majority=majority, rule=rule)
    assert result["outcome"] == outcome
    assert result["elected"] == elected
    assert sorted(result["runoff"]) == sorted(runoff)


def test_election_base_excludes_abstentions_unless_counted():
    result = election({"a": 30, "b": 20, "abstain": 10}, cast=60)
    assert (result["base"], result["threshold"], result["abstentions"]) == (50, 26, 10)
