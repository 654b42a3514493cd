"""The reporting stage's likelihood and its least-squares design use the same renotified share: on a series
made exactly from a level, a trend and a renotified share, the estimate is that level and trend, the
likelihood is highest (0) there, and nowhere above it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.analysis.reporting_fit import ReportingFit, renotified_share

LEVEL, TREND, SHARE = 24.0, 0.06, 0.05


def _exact_fit(share: float) -> ReportingFit:
    years = np.arange(2018.0, 2025.0)
    log_population = np.log(np.full(len(years), 1100.0))
    log_observed = np.log(LEVEL) + log_population + (years - 2018) * np.log1p(TREND) + np.log1p(share)
    return ReportingFit(years=years, log_observed=log_observed, log_population=log_population, start_year=2018,
                        level_index=0, trend_index=1, sd=np.full(len(years), 0.05), renotified_share=share)


@pytest.mark.parametrize("share", [0.0, SHARE])
def test_the_estimate_and_the_likelihood_peak_are_the_true_level_and_trend(share):
    fit = _exact_fit(share)
    summary = fit.summary()
    assert summary["level_estimate"] == pytest.approx(LEVEL, rel=1e-6)
    assert summary["trend_estimate"] == pytest.approx(TREND, rel=1e-5)
    assert fit.log_likelihood(np.array([[LEVEL, TREND]]))[0] == pytest.approx(0.0, abs=1e-9)
    grid = np.array([[LEVEL * f, TREND + d] for f in (0.9, 0.97, 1.03, 1.1) for d in (-0.02, 0.0, 0.02)])
    assert (fit.log_likelihood(grid) < 0).all()


def test_a_renotified_share_lowers_the_reporting_level_it_implies():
    """The same observations with 5 % renotified imply a reporting level 5 % lower."""
    plain = replace(_exact_fit(SHARE), renotified_share=0.0)
    assert plain.summary()["level_estimate"] == pytest.approx(LEVEL * (1 + SHARE), rel=1e-6)


def test_the_renotified_share_is_what_the_pilots_notifications_add_to_the_stream():
    """Pilot runs that notify 3 % more than the stream expected at the prior's midpoint: a share of 0.03."""
    fit = _exact_fit(0.0)
    middle = [LEVEL, TREND]
    expected = np.exp(fit.log_stream(np.array(middle))[0])
    assert renotified_share(fit, middle, expected * 1.03) == pytest.approx(0.03)
    assert renotified_share(fit, middle, expected) == pytest.approx(0.0, abs=1e-12)
    assert renotified_share(fit, middle, np.full(len(expected), np.nan)) == 0.0  # the pilot defines none
