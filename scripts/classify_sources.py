"""One-off helper (issue 10): propose a source `kind` for every source in data/ from its URL and issuer.

Kept in the repository so the first classification can be re-read and questioned: it is a set of reviewed
domain rules, and anything it cannot place is printed for a human to decide. It writes `kind:` lines into the
YAML text (comments and layout stay) only with --write.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

OFFICIAL_SUFFIX = (".gov.cn", ".gov.hk", ".gov.mo")
OFFICIAL_HOSTS = {
    # the issuing body's own portal, not on gov.cn (audit_2026-12.md "official city/zone portals")
    "www.eyeshenzhen.com", "de.eyeshenzhen.com", "fr.eyeshenzhen.com",  # Shenzhen government's international portal
    "www.gochengdu.cn", "cn.gochengdu.cn",                              # Chengdu's official international portal
    "invest.beijingetown.com.cn",                                       # Beijing E-Town administration
    "www.sh-italent.com", "en.sh-italent.com",                          # Shanghai international talent portal
    "en.bast.net.cn",                                                   # Beijing Association for Science and Technology
    "english1.english.gov.cn", "english.www.gov.cn", "www.gov.cn",
    "homeinchengdu.cn",                                                  # Chengdu foreign affairs office portal
    "www.tianfulifesciencepark.com",                                    # Tianfu Int. Bio-Town (Chengdu Hi-tech Zone)
    "www.ccpitsz.org.cn",
}
MACHINE = {
    "chinaidiom.com", "wodeyuanxiao.com", "isslerlaw.com", "lvyouzhishi.com", "sxyqgl.cn", "zttrust.com.cn",
    "woyaojiankangwang.com", "tlprw.com", "www.plnmw.com", "plnmw.com", "4idols.com", "mashanggame.com", "lnmlw.com",
    "bota.org.cn", "musicbyscottsmith.com", "wodefinance.com", "jiaoxuezhishi.com",
}
AI = {"reportify.ai", "reportify.cn", "askai.glarity.app"}
STATE_MEDIA = (
    "chinadaily.com.cn", "people.cn", "people.com.cn", "globaltimes.cn", "shine.cn", "ecns.cn", "cgtn.com",
    "chinanews.com.cn", "stdaily.com", "china.com.cn", "chinagate.cn", "thepaper.cn", "sztv.com.cn",
    "hangzhou.com.cn", "wenzhoudaily.cn", "sixthtone.com", "yicaiglobal.com", "jwview.com", "cs.com.cn",
    "hkcna.hk", "chinaservicesinfo.com", "imsilkroad.com", "zhongguowangshi.com.cn", "zjchina.com.cn",
    "shenzhen-standard.com", "big5.china.com.cn", "chinesetoday.com",
)
PRESS = (
    "business-standard.com", "udn.com", "ettoday.net", "etnet.com.hk", "caixinglobal.com", "universityworldnews.com",
    "hk01.com", "on.cc", "ctee.com.tw", "moneylink.com.tw", "cnyes.com", "epochtimes.jp", "uniteddaily.my",
    "pressreader.com", "finanznachrichten.de", "sputniknews.cn", "macaonews.org", "whitecollarvoice.com",
    "chinabankingnews.com", "zhidx.com", "mrjjxw.com", "sun0769.com", "gmteight.com",
    "daoinsights.com", "visaverge.com", "ofweek.com", "mpaypass.com.cn", "chinajob.com", "bkeconomy.com",
    "bjx.com.cn",
)
# Reposts that reproduce the issuing body's text (the issuer field names the body and says "reposted",
# "mirror" or "copy"): kind aggregator with faithful_repost, which verification "official" accepts.
FAITHFUL = re.compile(
    r"full text reposted|text reposted|text copied|copy of the text|copy of a gov\.cn|mirror of english\.shanghai"
    r"|mirror of eyeshenzhen|service guide, reposted|repost of the service guide|repost of the shenzhen statistics"
    r"|repost from the chengdu government|^zhongguancun administrative committee \(repost\)"
    r"|^shenzhen public security bureau \(repost\)|^jiangmen human resources.*\(repost\)"
    r"|^quanzhou government service listing \(repost\)|^shanghai foreign affairs & business consulting center \(repost\)"
    r"|^public-security exit-entry fee table \(repost\)|^hangzhou municipal human resources and social security bureau \(notice",
    re.I)
FIRM = (
    "kaizencpa.cn", "kaizencpa.com.cn", "china-briefing.com", "dezshira.com", "visahq.com", "zssvisa.cn", "deacons.com",
    "lexology.com", "woodburnglobal.com", "rsa-tax.com", "cwhkcpa.com", "oiolaw.com", "tannet-group.com",
    "visamailservice.com", "chinavisas.cn", "visitchinavisa.com", "nomadvisa.app", "dxtax.com", "lawparks.com",
    "elitere.cn", "referchina.com", "guideinchina.com", "aspirehk.ltd", "globaleastern.cn",
    "globaleasterninvestment.com", "hrcenter.co.uk", "remotelytalents.com", "fangwaijiaoyu.com", "bairuiip.com",
    "17win.com", "cjtax.cn", "investingov.com", "jobschinapro.com", "shuohk.com", "ousaite.com",
    "setupbusinessshenzhen.blogspot.com", "irishchamberchina.com", "smebrother.com", "huaxiataike.com",
    "qianhaibs.com.cn", "ehub.hk.cn", "english.ccg.org.cn", "seto.org.au",
)


def classify(url: str | None, issuer: str, title: str) -> str | None:
    text = f"{issuer} {title}".lower()
    if "machine translation" in text:
        return "machine_translation"
    if "ai-generated" in text or "ai answer" in text:
        return "ai_generated"
    host = urlparse(url).netloc.split(":")[0] if url else ""
    if host in AI:
        return "ai_generated"
    if host in MACHINE:
        return "machine_translation"
    if host.endswith(OFFICIAL_SUFFIX) or host in OFFICIAL_HOSTS or host.endswith(".gov.hk"):
        return "official"
    for group, kind in ((STATE_MEDIA, "state_media"), (PRESS, "press"), (FIRM, "firm")):
        if any(host == d or host.endswith("." + d) for d in group):
            return kind
    return None


def _sources_in(o: object):
    if isinstance(o, dict):
        if {"id", "issuer", "retrieved"} <= o.keys():
            yield o
        for v in o.values():
            yield from _sources_in(v)
    elif isinstance(o, list):
        for v in o:
            yield from _sources_in(v)


def main(write: bool) -> int:
    unsure = 0
    for path in sorted(Path("data").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        found = list(_sources_in(doc))
        if not found:
            continue
        lines = text.splitlines(keepends=True)
        out: list[str] = []
        by_issuer_line = {}
        for s in found:
            kind = s.get("kind") or classify(s.get("url"), str(s["issuer"]), str(s["title"])) or "aggregator"
            if not s.get("kind") and classify(s.get("url"), str(s["issuer"]), str(s["title"])) is None:
                unsure += 1
                print(f"aggregator?\t{path}\t{s['id']}\t{s.get('url') or '-'}\t{s['issuer']}", file=sys.stderr)
            by_issuer_line.setdefault(s["id"], kind)
        current_id = None
        for line in lines:
            m = re.match(r"^(\s*)- id: (\S+)\s*$", line)
            if m:
                current_id = m.group(2)
            mi = re.match(r"^(\s*)issuer: ", line)
            out.append(line)
            if mi and current_id in by_issuer_line and "kind:" not in "".join(out[-3:]):
                out.insert(len(out) - 1, f"{mi.group(1)}kind: {by_issuer_line[current_id]}\n")
                if by_issuer_line[current_id] == "aggregator" and FAITHFUL.search(line.split("issuer:", 1)[1].strip().strip('"')):
                    out.insert(len(out) - 1, f"{mi.group(1)}faithful_repost: true\n")
                current_id = None
        if write:
            path.write_text("".join(out), encoding="utf-8")
    print(f"{unsure} sources placed as aggregator by default", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main("--write" in sys.argv))
