"""The vectorised permit class equals the scalar national engine, profile by profile, in every city."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.engine.evaluate import _permit
from dashboard.engine.permit_vec import CLASS_CODE
from dashboard.engine.population import _permit as vec_permit
from dashboard.engine.population import default_grid, to_columns
from dashboard.engine.profile import Profile
from dashboard.engine.reference import local_wage
from tests.test_engine_properties import profiles


def _scalar(p: Profile, inputs, city: str, settings) -> tuple[int, bool]:
    w = local_wage(inputs.reference, city)
    res = _permit(p, inputs, city, w.value if w else None, settings)
    if res is None:
        return CLASS_CODE[None], False
    return CLASS_CODE[res.klass], bool(res.klass_known)


def _check(batch: list[Profile], inputs, settings) -> None:
    cols = to_columns(batch)
    for city in inputs.cities:
        w = local_wage(inputs.reference, city)
        codes, known = vec_permit(cols, inputs, city, w.value if w else None, settings.today)
        for i, p in enumerate(batch):
            assert (int(codes[i]), bool(known[i])) == _scalar(p, inputs, city, settings), (city, p)


def test_grid_sample_matches_scalar(inputs, settings) -> None:
    _check(default_grid(settings, sample=400, seed=3), inputs, settings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(profiles, min_size=1, max_size=25))
def test_random_profiles_match_scalar(batch: list[Profile], inputs, settings) -> None:
    batch = [p.model_copy(update={"horizon_years": 5, "discount_rate": 0.03}) for p in batch]
    _check(batch, inputs, settings)
