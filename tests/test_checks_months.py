"""The month grids the checks across files share (checks/months.py)."""

from __future__ import annotations

import numpy as np
from check_helpers import obs, run_check
from hypothesis import given, settings
from hypothesis import strategies as st

from fulian_stats.checks import months, outliers, ytd
from fulian_stats.checks.months import accumulate
from fulian_stats.observations import blocks_from_rows


def test_orgs_checked_in_batches_give_the_same_findings_as_all_at_once(monkeypatch):
    """checks/months.py takes orgs in batches to bound its arrays; one org a batch must
    find exactly what one batch for all finds (here a 本年累计 off and an outlier, in two
    of three orgs, with the year before as history)."""

    rows = []
    for k, org in enumerate(["大宁镇", "白沙镇", "石门镇"]):
        values = [265 + 5 * m for m in range(12)]
        if k == 1:
            values[9] = 2900  # an outlier in October
        rows += [obs(org, f"2016-{m:02d}", "women_home_served", v, cell="D20") for m, v in enumerate(values, 1)]
        rows += [obs(org, f"2016-{m:02d}", "trainees", 10, cell="D8") for m in range(1, 4)]
        rows.append(obs(org, "2016-03", "trainees", 30 if k != 2 else 31, cell="E8", measure="ytd"))
    blocks = blocks_from_rows(rows)

    def both():
        return run_check(ytd, blocks) + run_check(outliers, blocks)

    together = both()
    monkeypatch.setattr(months, "BATCH_CELLS", 1)
    apart = both()
    assert together == apart
    assert [(f.code, f.org, f.period) for f in together] == [
        ("YTD_MISMATCH", "石门镇", "2016-03"), ("OUTLIER", "白沙镇", "2016-10")]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 14), st.integers(1, 4), st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_accumulating_month_by_month_gives_numpys_values_to_the_bit(orgs, months, indicators, axis, seed):


    rng = np.random.default_rng(seed)
    values = rng.random((orgs, months, indicators)) * 10.0 ** rng.integers(-3, 7)
    values[rng.random(values.shape) < 0.3] = np.nan
    for ufunc in (np.fmax, np.fmin):
        assert np.array_equal(accumulate(ufunc, values, axis), ufunc.accumulate(values, axis=axis), equal_nan=True)
    filled = np.nan_to_num(values)
    assert np.array_equal(accumulate(np.add, filled, axis), np.cumsum(filled, axis=axis))
    here = ~np.isnan(values)
    assert np.array_equal(accumulate(np.add, here, axis, dtype=np.int32), np.cumsum(here, axis=axis, dtype=np.int32))
