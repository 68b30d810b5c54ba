"""`mechsolve verify`, `proofs` and `report` end to end through the CLI."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from mechsolve.cli import cli
from strategies import MODELS

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def test_verify_violation_writes_a_model_that_check_reproduces(tmp_path) -> None:
    cx = tmp_path / "cx.yaml"
    code, out = run("verify", "--scheme", "shapley", "--axiom", "individual-rationality", "--players", "2..3",
                    "--budget", "50", "--write-counterexample", str(cx))
    assert code == 1 and "violated" in out and "exits 1 in float and in --exact mode" in out
    assert run("check", str(cx))[0] == 1
    assert run("check", str(cx), "--exact")[0] == 1


def test_verify_writes_json_models_and_refuses_unwritable_suffixes(tmp_path) -> None:
    import json

    cx = tmp_path / "cx.json"
    code, out = run("verify", "--scheme-formula", "vN/n", "-a", "null-player", "--budget", "60",
                    "--write-counterexample", str(cx))
    assert code == 1 and "exits 1 in float and in --exact mode" in out
    assert json.loads(cx.read_text(encoding="utf-8"))["check"] == ["null-player"]
    assert run("check", str(cx))[0] == 1
    res = CliRunner().invoke(cli, ["verify", "--scheme-formula", "vN/n", "-a", "null-player", "--budget", "5",
                                   "--write-counterexample", str(tmp_path / "cx.toml")])
    assert res.exit_code == 2 and res.stdout == "" and ".toml" in res.stderr          # refused before searching
    assert not (tmp_path / "cx.toml").exists()


def test_verify_holding_axioms_exit_0_and_never_say_proved() -> None:
    code, out = run("verify", "--scheme", "shapley", "-a", "efficiency", "-a", "null-player", "--budget", "40",
                    "--family", "monotone,zero-one", "--format", "json")
    assert code == 0
    import json

    data = json.loads(out)
    assert [r["status"] for r in data["results"]] == ["no-counterexample-found"] * 2
    assert data["results"][0]["searched"]["families"] == ["monotone", "zero-one"]
    assert "proved" not in out


def test_verify_user_formula_and_callable(tmp_path) -> None:
    code, out = run("verify", "--scheme-formula", "vN/n", "-a", "null-player", "--budget", "60",
                    "--write-counterexample", str(tmp_path / "eq.yaml"))
    assert code == 1
    assert run("check", str(tmp_path / "eq.yaml"))[0] == 1
    rule = tmp_path / "rule.py"
    rule.write_text("from mechsolve.games.shapley import shapley\ndef pay(game):\n    return shapley(game)\n",
                    encoding="utf-8")
    code, out = run("verify", "--scheme-callable", f"{rule}:pay", "-a", "efficiency", "--budget", "30")
    assert code == 2, "user code runs only with --allow-code"
    code, out = run("verify", "--scheme-callable", f"{rule}:pay", "-a", "efficiency", "--budget", "30",
                    "--allow-code")
    assert code == 0 and "no-counterexample-found" in out


def test_verify_from_table_family() -> None:
    code, out = run("verify", "--scheme", "shapley", "-a", "efficiency", "--players", "3",
                    "--family", f"from-table={MODELS / 'data' / 'mnist-5-parties.json'}", "--budget", "10")
    assert code == 0 and "from-table" in out


@pytest.mark.parametrize("args, msg", [
    (("verify", "--scheme", "shapley", "--scheme-formula", "phi_i"), "exactly one of"),
    (("verify", "--scheme", "shapley", "--family", "weird"), "unknown family"),
    (("verify", "--scheme", "nope"), "unknown scheme"),
    (("verify", "--scheme-formula", "__import__('os')"), "scheme.formula"),
    (("verify", "--scheme", "shapley", "--players", "x"), "players"),
])
def test_verify_bad_input_is_one_line_exit_2(args, msg) -> None:
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 2
    assert msg in res.output and "Traceback" not in res.output


def test_proofs_lists_claims() -> None:
    code, out = run("proofs", "--dir", str(ROOT / "proofs"), "--no-run", "--format", "json")
    assert code == 0 and "ohrimenko_theorem1.py" in out
    code, out = run("proofs", "--dir", str(ROOT / "proofs"), "--claim", "nguyen_balance", "--format", "json")
    assert code == 0 and '"status": "proved"' in out


def test_proofs_in_worker_processes_give_the_same_results() -> None:
    import json

    def results(workers: str) -> list:
        code, out = run("proofs", "--dir", str(ROOT / "proofs"), "--claim", "nguyen_balance", "--claim",
                        "nguyen_lp_statement1", "--workers", workers, "--format", "json")
        assert code == 0
        return [[{k: v for k, v in r.items() if k != "seconds"} for r in e["results"]]
                for e in json.loads(out)["proofs"]]

    one, two = results("1"), results("2")
    assert one == two and len(one) == 2
    assert {r["status"] for r in one[1]} == {"violated"} and all(r["counterexample"] for r in one[1])


class _Balanced(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "input", "link", "path", "rect", "line", "circle"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        pass

    def handle_endtag(self, tag) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()


def test_report_html_is_self_contained_and_well_formed(tmp_path) -> None:
    out = tmp_path / "r.html"
    code, _ = run("report", str(MODELS / "user-scheme-equal-split.yaml"), "-o", str(out))
    assert code == 1                                  # the model's scheme violates null-player
    text = out.read_text(encoding="utf-8")
    p = _Balanced()
    p.feed(text)
    assert not p.errors and p.stack == []
    assert "<svg" in text and "null-player" in text and "How to reproduce" in text
    assert "http://" not in re.sub(r"xmlns(:\w+)?=[\"'][^\"']*[\"']", "", text)   # no external resources
    code, md = run("report", str(MODELS / "glove-game.yaml"), "--format", "markdown")
    assert code == 0 and "## Axioms" in md and "data:image/svg+xml;base64," in md


def test_verify_workers_and_dask_scheduler_give_the_same_verdict() -> None:
    import json

    distributed = pytest.importorskip("dask.distributed")
    args = ("verify", "--scheme-formula", "vN/n", "-a", "null-player", "--budget", "150", "--seed", "3",
            "--format", "json")
    outs = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        for extra in ((), ("--workers", "2"), ("--scheduler", cluster.scheduler_address)):
            code, out = run(*args, *extra)
            assert code == 1
            r = json.loads(out)["results"][0]
            where = r["searched"].pop("executor")
            r["searched"].pop("seconds")
            outs.append(json.dumps(r, sort_keys=True))
    assert where.startswith("Dask cluster at ")
    assert len(set(outs)) == 1                          # same counterexample, same statistics


def test_verify_mechanism_workers_and_dask_scheduler_give_the_same_counterexample() -> None:
    # MEP is not weakly budget balanced for three agents with some α_ij < 0 (Chen et al. 2020, Sec. 6.1);
    # with seed 1 the first violation lies in the second chunk, so the lowest-chunk rule is exercised
    import json

    distributed = pytest.importorskip("dask.distributed")
    args = ("verify", "--mechanism", "mep", "-a", "wbb", "--agents", "3", "--grid", "1", "--alpha-range",
            "-0.2:1", "--budget", "200", "--seed", "1", "--format", "json")
    outs = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        for extra in ((), ("--workers", "2"), ("--scheduler", cluster.scheduler_address)):
            code, out = run(*args, *extra)
            assert code == 1, out
            r = json.loads(out)["results"][0]
            where = r["searched"].pop("executor")
            r["searched"].pop("seconds")
            outs.append(json.dumps(r, sort_keys=True))
    assert where.startswith("Dask cluster at ")
    assert len(set(outs)) == 1                          # same counterexample, same statistics
    r = json.loads(outs[0])
    assert r["searched"]["chunks"] == 2 and r["counterexample"]["found_at_instance"] > 100
    assert r["searched"]["instances"] == r["counterexample"]["found_at_instance"]


@pytest.mark.parametrize("args, why", [
    (("--scheme", "shapley", "-a", "symmetry", "--players", "1", "--budget", "20"), "none of the 20 instances"),
    (("--mechanism", "mep", "-a", "theorem-1", "--alpha-range", "-1:-0.5", "--budget", "10"), "not quasi-monotone"),
])
def test_verify_that_checked_nothing_exits_2(args, why) -> None:
    res = CliRunner().invoke(cli, ["verify", *args])
    assert res.exit_code == 2 and "nothing was checked" in res.stderr and why in res.stderr
    assert "Traceback" not in res.output


def test_verify_where_every_instance_raised_exits_2(tmp_path) -> None:
    rule = tmp_path / "boom.py"
    rule.write_text("def pay(game):\n    raise ValueError('not today')\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["verify", "--scheme-callable", f"{rule}:pay", "-a", "efficiency",
                                   "--budget", "5", "--format", "json", "--allow-code"])
    assert res.exit_code == 2 and "every one of the 5 instances raised an error" in res.stderr
    import json

    data = json.loads(res.stdout)
    assert data["exit_code"] == 2 and data["results"][0]["searched"]["errors"] == {"InvalidModel": 5}


def test_verify_interrupted_prints_what_it_searched(tmp_path, monkeypatch) -> None:
    # Ctrl-C (a real SIGINT, not a KeyboardInterrupt the code raises: that is exit 2, issue 18) inside the
    # 7th evaluation of the scheme: what was searched is reported, exit 130.
    # (The rule file is imported afresh per call, so its counter lives on the sys module.)
    import json
    import sys

    monkeypatch.setattr(sys, "_verify_test_calls", 0, raising=False)
    rule = tmp_path / "slow.py"
    rule.write_text("import sys\nfrom mechsolve.games.shapley import shapley\n"
                    "def pay(game):\n    sys._verify_test_calls += 1\n"
                    "    if sys._verify_test_calls == 7:\n        import os, signal\n"
                    "        os.kill(os.getpid(), signal.SIGINT)\n"
                    "    return shapley(game)\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["verify", "--scheme-callable", f"{rule}:pay", "-a", "efficiency",
                                   "-a", "null-player", "--budget", "50", "--format", "json", "--allow-code"])
    assert res.exit_code == 130 and "interrupted" in res.stderr
    data = json.loads(res.stdout)
    assert len(data["results"]) == 1 and data["exit_code"] == 130       # the second axiom was not started
    r = data["results"][0]
    assert r["interrupted"] and r["searched"]["interrupted"] and r["status"] == "no-counterexample-found"
    assert r["searched"]["instances"] == 7 and r["searched"]["applicable"] == 6     # one scheme call per instance


def test_verify_bad_workers_is_exit_2() -> None:
    code, out = run("verify", "--scheme", "shapley", "--workers", "0")
    assert code == 2 and "Traceback" not in out


def _browser() -> str:
    import shutil

    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if browser is None:   # .ci/run installs it (apt-get install chromium); skip only where that failed
        pytest.skip("no headless browser (apt-get install chromium)")
    return browser


_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1000,1400"]
#: Injected into a copy of the page: what a person would see overflow (the page must not scroll sideways).
_PROBE = ("<script>window.addEventListener('load',()=>{const d=document.documentElement;"
          "const wide=[...document.querySelectorAll('.table-wrap')].filter(w=>w.scrollWidth>w.clientWidth).length;"
          "document.body.setAttribute('data-probe',JSON.stringify({scroll:d.scrollWidth,client:d.clientWidth,"
          "svgs:document.querySelectorAll('figure svg').length,scrolling_tables:wide,"
          "toc:document.querySelectorAll('nav.toc a').length,code:document.querySelectorAll('pre code').length}))});"
          "</script>")


@pytest.mark.slow
@pytest.mark.parametrize("model, code", [("user-scheme-equal-split.yaml", 1), ("mnist-5-parties.yaml", 0),
                                         ("nguyen-mnist-budget-0.3.yaml", 0), ("chen-market-growth.yaml", 0)])
def test_report_html_renders_in_a_headless_browser(tmp_path, model: str, code: int) -> None:
    """The HTML report in headless Chromium: drawn (a screenshot with text and tables, not blank), no
    sideways page scroll (wide tables scroll inside their box), figures, contents and code present."""
    import json
    import subprocess

    browser = _browser()
    html, png = tmp_path / "r.html", tmp_path / "r.png"
    assert run("report", str(MODELS / model), "-o", str(html))[0] == code
    subprocess.run([browser, *_FLAGS, f"--screenshot={png}", html.as_uri()], capture_output=True, timeout=120,
                   check=False)
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    probe = tmp_path / "probe.html"
    probe.write_text(html.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run([browser, *_FLAGS, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, timeout=120, check=False, text=True).stdout
    m = re.search(r"data-probe=\"([^\"]*)\"", dom)
    assert m, dom[-500:]
    seen = json.loads(m.group(1).replace("&quot;", '"'))
    assert seen["scroll"] <= seen["client"], seen                # nothing runs past the page
    assert seen["toc"] >= 3 and seen["code"] == 1
    if "chen" not in model:
        assert seen["svgs"] >= 1                                 # figures drawn inline
    try:
        from PIL import Image
    except ImportError:
        assert png.stat().st_size > 20_000
        return
    img = Image.open(png).convert("L")
    assert img.size == (1000, 1400)
    hist = img.histogram()
    dark = sum(hist[:128]) / (img.size[0] * img.size[1])
    assert 0.005 < dark < 0.5          # text and tables drawn, not a blank or black page


def test_proofs_from_another_folder_need_allow_code(tmp_path) -> None:
    """A folder of someone's .py files is user code; mechsolve's own proofs/ is not."""
    (tmp_path / "claim.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w')\n", encoding="utf-8")
    code, out = run("proofs", "--dir", str(tmp_path), "--no-run")
    assert code == 2 and "needs --allow-code" in out and not (tmp_path / "ran").exists()
    assert run("proofs", "--dir", str(tmp_path), "--no-run", "--allow-code")[0] == 0
    assert (tmp_path / "ran").exists()


def test_verify_mechanism_refuses_a_bad_quality_formula_before_searching() -> None:
    """A quality formula that cannot parse is one line of bad input (exit 2), not an error per instance."""
    from click.testing import CliRunner

    from mechsolve.cli import cli

    for args in (["--mechanism", "mep", "--quality", "__import__('os')"],
                 ["--kind", "mechanism-design", "--option", "mechanism=mep", "--option", "quality=t**"]):
        r = CliRunner().invoke(cli, ["verify", *args, "--budget", "5"])
        assert r.exit_code == 2 and r.output.startswith("error: quality:") and r.output.count("\n") == 1, r.output
