"""Brief: one print-friendly page for a briefing (title and date, map, ranking, the home city's key gaps,
sources with the data's as-of date) and its exports: PNG, PDF, PPTX, XLSX, CSV, in the current language."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import bench_state as BS
from dashboard import data_access as DA
from dashboard import exports as X
from dashboard import map_data, maps, page_url
from dashboard import provenance as PV
from dashboard.catalog_table import catalog_frame
from dashboard.engine.rank import rank_cities
from dashboard.i18n import money, name, t
from dashboard.views import esc

view = st.session_state["view"]
profile, weights, lang = view["profile"], view["weights"], view["lang"]
settings = DA.settings()
base = DA.inputs()
sc: BS.BenchScenario | None = st.session_state.get("bench")
inputs = BS.session_inputs(base, sc, settings.today)[0] if sc else base
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}

st.title(t("brief.title", lang))
st.caption(t("brief.intro", lang))

subjects = ["__profile__"] + ([a.id for a in sc.archetypes] if sc else [])
arch = {a.id: a for a in sc.archetypes} if sc else {}
page_url.restore("bsubj", subjects, lang)
subject = st.selectbox(t("brief.subject", lang), subjects, key="brief_subject",
                       format_func=lambda s: t("brief.my_profile", lang) if s == "__profile__" else
                       (arch[s].name_zh if lang == "zh" else arch[s].name_en))
homes = [None, *sorted(base.cities)]
url_home = page_url.take("bhome", homes, lang)
home = st.selectbox(t("bench.home", lang), homes, key="brief_home",
                    index=(homes.index(url_home) if page_url.found(url_home) else
                           homes.index(sc.home) if sc and sc.home in base.cities else 0),
                    format_func=lambda c: t("brief.no_home", lang) if c is None else city_names[c])
url_name = page_url.take("bname", None, lang, parse=lambda v: v[:80])
scenario = st.text_input(t("brief.scenario", lang), value=(url_name if page_url.found(url_name) else
                                                           sc.name if sc and sc.name else t("brief.default_name", lang)),
                         max_chars=80, key="brief_name")
page_url.write("bsubj", subject)
page_url.write("bhome", home)
page_url.write("bname", scenario)
official_only = st.toggle(t("brief.official_only", lang), key="brief_official", help=t("brief.official_only_help", lang))
full_inputs = inputs
dropped: tuple[PV.Dropped, ...] = ()
if official_only:
    inputs, dropped = PV.official_only(inputs)
subject_profile = profile if subject == "__profile__" else arch[subject].profile
subject_weights = weights if subject == "__profile__" else None
ranking = rank_cities(subject_profile, inputs, settings, weights=subject_weights,
                      preset=None if subject == "__profile__" else arch[subject].preset)
data = X.brief_data(ranking, inputs, lang, home_city=home, scenario_name=scenario, today=settings.today,
                    profile=subject_profile, dropped=dropped, dropped_from=full_inputs)

# --- the page as it will print ----------------------------------------------------------------------------
with st.container(border=True):
    st.markdown(f"## {esc(scenario)}")
    st.caption(f"{settings.today.isoformat()} · {esc(data.profile_line)}")
    pts, outl = DA.geo_points(), DA.outlines()
    fig = None
    if isinstance(pts, Exception) or isinstance(outl, Exception):
        st.warning(t("map_unavailable", lang, why=str(pts if isinstance(pts, Exception) else outl)))
    else:
        fig = map_data.map_figure(ranking, inputs, lang, points=pts, outlines=outl, horizon_years=subject_profile.horizon_years)
        st.plotly_chart(fig, config=maps.PLOTLY_CONFIG, key="brief_map")
    st.dataframe(pd.DataFrame(X.ranking_table(data)[1:], columns=X.ranking_table(data)[0]), hide_index=True, width="stretch")
    if home:
        st.markdown(f"**{esc(X.gaps_title(data))}**")
        if data.gaps:
            st.markdown("\n".join("- " + " · ".join(esc(x) for x in X.gap_cells(g, lang)) for g in data.gaps))
        else:
            st.markdown(esc(X.gaps_message(data)))
    for note in data.notes:
        st.caption(esc(note))
    st.caption(t("brief.sources_footer", lang, as_of=data.as_of, n=len(data.all_sources)))
    for s in data.sources[:8]:
        st.caption("· " + esc(X.source_line(s, lang)))

# --- exports -----------------------------------------------------------------------------------------------
st.subheader(t("brief.exports", lang))
key = repr((subject, home, scenario, lang, official_only, sorted(weights.items()) if subject_weights else None,
            subject_profile.model_dump_json(), sorted(inputs.cities)))
if st.button(t("brief.prepare", lang), key="brief_prepare"):
    files: dict[str, tuple[bytes, str, str]] = {}
    errors: list[str] = []
    map_png = None
    try:
        with st.spinner(t("brief.rendering", lang)):
            if fig is not None:
                map_png = X.figure_png(fig, 1000, 650, scale=2)
                files["map"] = (map_png, X.export_filename(scenario, "map", settings.today, "png", lang=lang), "image/png")
            charts_ = X.chart_figures(ranking, inputs, lang, horizon_years=subject_profile.horizon_years,
                                      points=None if isinstance(pts, Exception) else pts,
                                      outlines=None if isinstance(outl, Exception) else outl)
            for k in ("breakdown", "sensitivity"):
                files[k] = (X.figure_png(charts_[k], 900, 450), X.export_filename(scenario, k, settings.today, "png",
                                                                                 lang=lang), "image/png")
    except Exception as e:
        errors.append(t("brief.export_failed", lang, what="PNG", why=str(e)[:200]))
    for kind, ext, mime, make in (
        ("brief", "pdf", "application/pdf", lambda: X.brief_pdf(data, map_png)),
        ("deck", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         lambda: X.deck_pptx(data, map_png)),
        ("workbook", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         lambda: X.workbook_xlsx(data, X.evaluation_rows(ranking, inputs, lang), catalog_frame(inputs.cities, lang))),
        ("ranking", "csv", "text/csv", lambda: X.csv_bytes(X.ranking_frame(data))),
    ):
        try:
            files[kind] = (make(), X.export_filename(scenario, kind, settings.today, ext, lang=lang), mime)
        except Exception as e:
            errors.append(t("brief.export_failed", lang, what=ext.upper(), why=str(e)[:200]))
    st.session_state["brief_files"] = (key, files, errors)
got = st.session_state.get("brief_files")
if got and got[0] == key:
    for msg in got[2]:
        st.error(esc(msg))
    cols = st.columns(max(1, len(got[1])))
    for col, (kind, (blob, fname, mime)) in zip(cols, got[1].items(), strict=False):
        col.download_button(t(f"brief.dl.{kind}", lang), blob, file_name=fname, mime=mime, key=f"brief_dl_{kind}",
                            width="stretch")
else:
    st.caption(t("brief.prepare_help", lang))
st.caption(t("brief.value_note", lang, value=money(data.leader.expected, lang), city=esc(data.leader.name)))
