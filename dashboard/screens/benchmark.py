"""Benchmark (officials): where does our city stand for typical applicants, what does the leader offer that
we do not, what would it cost to lead, and what if we changed our offer? Saved as named scenarios."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import bench_state as BS
from dashboard import data_access as DA
from dashboard import map_data, maps, page_url, population_panel
from dashboard.catalog import schema as S
from dashboard.catalog.archetypes import Archetype, load_archetypes
from dashboard.engine import benchmark as B
from dashboard.engine import whatif as W
from dashboard.engine.profile import Profile
from dashboard.engine.templates import TEMPLATES
from dashboard.i18n import money, name, t
from dashboard.views import esc, flag_lines

view = st.session_state["view"]
lang = view["lang"]
base = DA.inputs()
settings = DA.settings()
today = settings.today


@st.cache_resource(show_spinner=False)
def _default_archetypes() -> tuple[Archetype, ...]:
    return load_archetypes()[0]


defaults = _default_archetypes()
if "bench" not in st.session_state:
    st.session_state["bench"] = BS.BenchScenario(home="chengdu" if "chengdu" in base.cities else sorted(base.cities)[0],
                                                 archetypes=list(defaults))
sc: BS.BenchScenario = st.session_state["bench"]

st.title(t("bench.title", lang))
st.caption(t("bench.intro", lang))

inputs, wi, edit_problems = BS.session_inputs(base, sc, today)
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}
official_ids = sorted(c for c in base.cities)
if page_url.found(url_home := page_url.take("home", official_ids, lang)):
    sc.home = url_home  # the selectbox below opens on it (its index); no state is set behind its back
sc.home = st.selectbox(t("bench.home", lang), official_ids, index=official_ids.index(sc.home) if sc.home in official_ids else 0,
                       format_func=lambda c: city_names.get(c, c), key="bench_home")
page_url.write("home", sc.home)
if inputs.user_supplied:
    sep = "、" if lang == "zh" else ", "
    st.info(t("bench.uploaded_note", lang, cities=sep.join(esc(city_names[c]) for c in sorted(inputs.user_supplied))))

# --- archetypes (editable) --------------------------------------------------------------------------------
with st.expander(t("bench.archetypes", lang), expanded=False):
    st.caption(t("bench.archetypes_help", lang))
    cols = ["age", "origin", "degree", "field", "graduation_year", "annual_salary_cny", "intent", "children"]
    # Coded columns are shown and edited by their label in the page's language, read back to codes below.
    codes = {"origin": ["foreign", "overseas_chinese", "returnee", "mainland", "hk_macao_taiwan"],
             "degree": list(S.DEGREE_ORDER), "field": list(S.FIELDS), "intent": ["employment", "startup", "research"]}
    to_label = {c: {v: t(f"{c}.{v}", lang) for v in vs} for c, vs in codes.items()}
    to_code = {c: {lab: v for v, lab in m.items()} for c, m in to_label.items()}
    table = pd.DataFrame([{"name": a.name_en if lang == "en" else a.name_zh,
                           **{c: to_label[c].get(getattr(a.profile, c), getattr(a.profile, c)) if c in codes
                              else getattr(a.profile, c) for c in cols}} for a in sc.archetypes])
    edited = st.data_editor(
        table, num_rows="dynamic", hide_index=True, key="bench_arch_editor", width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t("bench.col_name", lang), max_chars=80, required=True),
            "age": st.column_config.NumberColumn(t("f.age", lang), min_value=16, max_value=80, step=1),
            "origin": st.column_config.SelectboxColumn(t("f.origin", lang), options=list(to_label["origin"].values())),
            "degree": st.column_config.SelectboxColumn(t("f.degree", lang), options=list(to_label["degree"].values())),
            "field": st.column_config.SelectboxColumn(t("f.field", lang), options=list(to_label["field"].values())),
            "graduation_year": st.column_config.NumberColumn(t("f.graduation_year", lang), min_value=1960, max_value=2035,
                                                             step=1),
            "annual_salary_cny": st.column_config.NumberColumn(t("f.annual_salary_cny", lang), min_value=0, step=10000),
            "intent": st.column_config.SelectboxColumn(t("f.intent", lang), options=list(to_label["intent"].values())),
            "children": st.column_config.NumberColumn(t("f.children", lang), min_value=0, max_value=10, step=1),
        })
    new_arch: list[Archetype] = []
    for i, row in edited.iterrows():
        base_a = sc.archetypes[i] if isinstance(i, int) and i < len(sc.archetypes) else None
        prof = base_a.profile.model_dump() if base_a else {}
        for c in cols:
            v = row.get(c)
            prof[c] = None if v is None or (isinstance(v, float) and pd.isna(v)) else v
            if c in codes and prof[c] is not None:
                prof[c] = to_code[c].get(prof[c], prof[c])
        for c in ("age", "graduation_year", "children"):
            if prof.get(c) is not None:
                prof[c] = int(prof[c])
        try:
            p = Profile.model_validate(prof)
        except ValueError as e:
            st.warning(t("bench.bad_row", lang, row=i + 1 if isinstance(i, int) else i,
                         why=esc(str(e).splitlines()[1] if len(str(e).splitlines()) > 1 else str(e))))
            continue
        label = str(row.get("name") or f"#{i}")
        if base_a is not None:
            new_arch.append(base_a.model_copy(update={"profile": p}))
        else:
            new_arch.append(Archetype(id=BS._slug(label), name_en=label, name_zh=label, why_en="User-defined archetype.",
                                      why_zh="用户自定义的档案。", preset="graduate", profile=p))
    if new_arch:
        sc.archetypes = new_arch

if not sc.archetypes:
    st.warning(t("bench.no_archetypes", lang))
    st.stop()


@st.cache_resource(show_spinner=False, max_entries=64)
def _matrix(key: str, _inputs: object, _archetypes: tuple[Archetype, ...]) -> B.BenchmarkMatrix:
    return B.matrix(_archetypes, _inputs, settings)  # type: ignore[arg-type]


def _key() -> str:
    return repr((sc.home, [a.model_dump_json() for a in sc.archetypes], [BS.edit_to_dict(e) for e in sc.edits],
                 sorted(inputs.cities), sorted(inputs.user_supplied), today.isoformat()))


bench = _matrix(_key(), inputs, tuple(sc.archetypes))
arch_names = {a.id: (a.name_zh if lang == "zh" else a.name_en) for a in sc.archetypes}

# --- the matrix --------------------------------------------------------------------------------------------
st.subheader(t("bench.matrix", lang))
rows = []
for r in bench.rows:
    row = {t("bench.col_archetype", lang): arch_names.get(r.archetype, r.archetype)}
    for c in bench.cities:
        cell = r.cell(c)
        mark = " ★" if c == sc.home else ""
        row[city_names.get(c, c) + mark] = f"{cell.rank} · {money(cell.expected, lang)}"
    rows.append(row)
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.caption(t("bench.matrix_help", lang))
for line in flag_lines(bench.flags, lang, city_names):
    st.caption(f":orange[:material/warning:] {line}")

# --- map for one archetype ---------------------------------------------------------------------------------
page_url.restore("barch", [r.archetype for r in bench.rows], lang)
pick = st.selectbox(t("bench.map_for", lang), [r.archetype for r in bench.rows], format_func=lambda a: arch_names.get(a, a),
                    key="bench_map_arch")
page_url.write("barch", pick)
pts, outl = DA.geo_points(), DA.outlines()
if isinstance(pts, Exception) or isinstance(outl, Exception):
    st.warning(t("map_unavailable", lang, why=str(pts if isinstance(pts, Exception) else outl)))
else:
    fig = map_data.map_figure(bench.row(pick).ranking, inputs, lang, points=pts, outlines=outl)
    st.plotly_chart(fig, config=maps.PLOTLY_CONFIG, key="bench_map")

# --- gaps to the leader ------------------------------------------------------------------------------------
st.subheader(t("bench.gaps", lang, home=city_names.get(sc.home, sc.home)))
for g in B.home_gaps(sc.home, sc.archetypes, inputs, settings, bench=bench):
    head = f"{arch_names.get(g.archetype, g.archetype)}: " + (g.text_zh if lang == "zh" else g.text_en)
    with st.expander(head[:200]):
        if not g.categories:
            st.markdown(t("bench.leads", lang))
        for cg in g.categories:
            st.markdown(f"- {esc(cg.text_zh if lang == 'zh' else cg.text_en)}")

# --- cost to lead ------------------------------------------------------------------------------------------
st.subheader(t("bench.cost", lang))
page_url.restore("bcat", list(S.CATEGORIES), lang)
cat = st.selectbox(t("category", lang), list(S.CATEGORIES), format_func=lambda c: t(f"cat.{c}", lang), key="bench_cost_cat")
page_url.write("bcat", cat)
if st.button(t("bench.cost_run", lang), key="bench_cost_run"):
    with st.spinner(t("bench.computing", lang)):
        res = [B.cost_to_lead(sc.home, a, cat, inputs, settings) for a in sc.archetypes]
    st.session_state["bench_cost"] = (cat, _key(), res)
got = st.session_state.get("bench_cost")
if got and got[0] == cat and got[1] == _key():
    st.dataframe(pd.DataFrame([{t("bench.col_archetype", lang): arch_names.get(c.archetype, c.archetype),
                                t("bench.col_cost", lang): money(c.amount, lang) if c.reachable else t("bench.unreachable", lang),
                                t("bench.col_why", lang): c.text_zh if lang == "zh" else c.text_en} for c in got[2]]),
                 hide_index=True, width="stretch")

# --- what-if -----------------------------------------------------------------------------------------------
st.subheader(t("bench.whatif", lang, home=city_names.get(sc.home, sc.home)))
home_official = base.cities[sc.home]
live = [i for i in home_official.incentives if i.status != "expired"]
with st.form("bench_whatif"):
    action = st.selectbox(t("bench.action", lang), ["amount", "duration", "disable", "template"],
                          format_func=lambda a: t(f"bench.action.{a}", lang))
    target = st.selectbox(t("bench.incentive", lang), [i.id for i in live],
                          format_func=lambda i: next(name(x, lang) for x in live if x.id == i))
    tpl = st.selectbox(t("bench.template", lang), list(TEMPLATES), format_func=lambda k: name(TEMPLATES[k], lang))
    amount = st.number_input(t("bench.amount", lang), min_value=0.0, max_value=1e10, value=100000.0, step=10000.0)
    months = st.number_input(t("bench.months", lang), min_value=1, max_value=600, value=24, step=1)
    submitted = st.form_submit_button(t("bench.apply", lang))
if submitted:
    if action == "amount":
        edit = W.SetAmount(target, amount)
    elif action == "duration":
        inc = next(x for x in live if x.id == target)
        edit = W.SetDuration(target, years=int(months // 12) or 1) if inc.benefit.form == "annual" else W.SetDuration(
            target, months=int(months))
    elif action == "disable":
        edit = W.DisableIncentive(target)
    else:
        tp = TEMPLATES[tpl]
        edit = W.AddFromTemplate(tpl, amount=amount if tp.has_amount else None,
                                 duration_months=int(months) if tp.needs == "duration_months" else None,
                                 duration_years=max(1, int(months // 12)) if tp.needs == "duration_years" else None,
                                 incentive_id=f"{sc.home}-whatif-{tpl}-{len(sc.edits) + 1}")
    trial = W.apply_edits(home_official, [*sc.edits, edit], today=today)
    if trial.ok:
        sc.edits.append(edit)
        st.rerun()
    else:
        for p in trial.problems:
            st.error(esc(str(p)))
if edit_problems:
    for p in edit_problems:
        st.error(esc(str(p)))
if sc.edits:
    st.markdown(t("bench.diff", lang))
    if wi is not None and wi.ok:
        st.dataframe(pd.DataFrame([{t("bench.col_record", lang): d.record_zh if lang == "zh" else d.record_en,
                                    t("bench.col_field", lang): d.label_zh if lang == "zh" else d.label_en,
                                    t("bench.col_change", lang): d.change,
                                    t("bench.col_before", lang): (d.before_zh if lang == "zh" and d.before_zh else d.before) or "—",
                                    t("bench.col_after", lang): (d.after_zh if lang == "zh" and d.after_zh else d.after) or "—"}
                                   for d in wi.diff]), hide_index=True, width="stretch")
    if st.button(t("bench.reset", lang), key="bench_reset"):
        sc.edits.clear()
        st.rerun()
else:
    st.caption(t("bench.no_edits", lang))

# --- another city's offer ----------------------------------------------------------------------------------
st.subheader(t("bench.upload", lang))
st.caption(t("bench.upload_help", lang))
from dashboard.offers import offer_template_xlsx, offer_template_yaml, parse_offer  # noqa: E402

c1, c2 = st.columns(2)
c1.download_button(t("bench.template_yaml", lang), offer_template_yaml(), file_name="offer-template.yaml", mime="text/yaml")
c2.download_button(t("bench.template_xlsx", lang), offer_template_xlsx(), file_name="offer-template.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
up = st.file_uploader(t("bench.upload_file", lang), type=["yaml", "yml", "xlsx"], key="bench_upload")
if up is not None and st.session_state.get("bench_upload_seen") != (up.name, up.size):
    st.session_state["bench_upload_seen"] = (up.name, up.size)
    existing = {**base.cities, **{o.city: o for o in sc.offers}}
    city, problems = parse_offer(up.name, up.getvalue(), existing=existing, today=today)
    if city is None:
        st.error(t("bench.upload_refused", lang, file=esc(up.name)))
        for p in problems[:30]:
            st.markdown(f"- `{esc(str(p))}`")
    else:
        sc.offers.append(city)
        st.rerun()
for o in list(sc.offers):
    cc1, cc2 = st.columns([4, 1])
    cc1.markdown(f"- {esc(name(o, lang))} ({esc(o.city)}) · {len(o.incentives)} · " + t("user_supplied", lang))
    if cc2.button(t("bench.remove", lang), key=f"bench_rm_{o.city}"):
        sc.offers.remove(o)
        st.rerun()

population_panel.render(base, inputs, settings, lang, city_names, view["weights"],
                        changed=bool(sc.edits) or bool(inputs.user_supplied))

# --- saved scenarios ---------------------------------------------------------------------------------------
st.subheader(t("bench.scenarios", lang))
from dashboard.scenario_panel import render_scenarios  # noqa: E402

render_scenarios(sc, defaults, lang, view["weights"])
