"""`python -m bot match`, and `python -m bot check` on a broken matching.yaml."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import DATA_DIR, MAX_QUERY_CHARS

ROOT = Path(__file__).resolve().parents[2]


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_json_gives_the_designed_object_for_a_question(capsys):
    assert main(["match", "--json", "recuitment problems"]) == 0
    [result] = json_lines(capsys.readouterr().out)
    assert set(result) == {"query", "matches", "route"}
    assert result["query"] == "recuitment problems"
    best = result["matches"][0]
    assert set(best) == {"id", "kind", "score", "terms"}
    assert (best["id"], best["kind"], best["terms"][0]) == ("workforce", "factor", "recruitment")
    # the words it shares with a like question in examples.yaml, if any, come as one more term
    assert all(t.startswith("like an example: ") for t in best["terms"][1:])
    assert 0 <= best["score"] <= 100


def test_words_given_separately_are_one_question(capsys):
    assert main(["match", "--json", "staff", "turnover"]) == 0
    [result] = json_lines(capsys.readouterr().out)
    assert result["query"] == "staff turnover"
    assert result["matches"][0]["id"] == "workforce"


def test_batch_writes_one_json_object_per_line_in_order(tmp_path, capsys):
    queries = ["CQC worries stop us trying anything", "", "hello", "recipe for lasagne", "SIPS"]
    batch = tmp_path / "questions.txt"
    batch.write_text("\n".join(queries) + "\n", encoding="utf-8")
    assert main(["match", "--json", "--batch", str(batch)]) == 0
    results = json_lines(capsys.readouterr().out)
    assert [r["query"] for r in results] == queries
    assert [r["matches"][0]["id"] if r["matches"] else None for r in results] == [
        "risk-aversion",
        None,
        None,
        None,
        "sips",
    ]


def test_batch_from_stdin_and_plain_stdin_read_one_query_a_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("telecare\r\nco-design with carers\n"))
    assert main(["match", "--json", "--batch", "-"]) == 0
    assert [r["matches"][0]["id"] for r in json_lines(capsys.readouterr().out)] == [
        "nasss",
        "co-production",
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("hi\nstaff turnover\n"))
    assert main(["match"]) == 0
    out = capsys.readouterr().out
    assert '"hi"\n  smalltalk: greeting' in out
    assert "1. workforce" in out


def test_readable_output_has_a_line_per_match_and_says_when_it_is_unsure(capsys):
    assert main(["match", "recruitment and funding"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == '"recruitment and funding"'
    assert lines[1].split()[:3] == ["1.", "workforce", "factor"]
    assert lines[2].split()[:3] == ["2.", "scale-funding", "factor"]
    assert "ambiguous" in lines[-1]


def test_readable_output_says_when_nothing_matched_or_input_was_cut(capsys):
    assert main(["match", "purple elephants"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "  no match"
    assert main(["match", "football scores"]) == 0  # a route, not "no match"
    assert capsys.readouterr().out.splitlines()[1].startswith("  route: off-topic")
    assert main(["match", "x " * MAX_QUERY_CHARS]) == 0
    assert f"first {MAX_QUERY_CHARS} characters" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["", "😀", "\x00\x1b", "Привет", "a" * 10_000])
def test_odd_input_still_exits_zero_with_json(text, capsys):
    assert main(["match", "--json", text]) == 0
    [result] = json_lines(capsys.readouterr().out)
    assert result["matches"] == []


def test_a_missing_batch_file_or_two_sources_is_an_error(tmp_path, capsys):
    assert main(["match", "--batch", str(tmp_path / "nope.txt")]) == 2
    assert "Cannot read" in capsys.readouterr().err
    assert main(["match", "--batch", "-", "some", "text"]) == 2
    assert "not both" in capsys.readouterr().err


def test_match_runs_as_a_module_from_the_shell():
    run = subprocess.run(
        [sys.executable, "-m", "bot", "match", "--json", "--batch", "-"],
        input="involving service users\nqwerty\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    results = json_lines(run.stdout)
    assert [r["query"] for r in results] == ["involving service users", "qwerty"]
    assert results[0]["matches"][0]["id"] == "co-production"
    assert results[1]["matches"] == []


def test_check_reports_a_broken_matching_yaml_with_file_entry_and_field(
    tmp_path, monkeypatch, capsys
):
    data = tmp_path / "knowledge" / "data"
    shutil.copytree(DATA_DIR, data)
    matching = data / "matching.yaml"
    text = matching.read_text(encoding="utf-8").replace(
        "  council: [la,", "  council: [the, la,", 1
    )
    matching.write_text(text, encoding="utf-8")
    monkeypatch.setattr("knowledge._loader.DATA_DIR", data)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "knowledge/data/matching.yaml: council: sector_words: 'the' is also a stop word" in err
    assert main(["match", "anything"]) == 1
    assert "python -m bot check" in capsys.readouterr().err


def test_readable_output_names_the_route_its_terms_and_what_would_have_matched(capsys):
    assert main(["match", "how long does a new mental health crisis pathway take to embed"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("  1. time-to-embed")
    assert main(["match", "what is double running"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:3] == ["route:", "glossary", "(double-running)"]
    assert lines[2].split()[0] == "otherwise:"
    assert lines[2].split()[1] in {"scale-funding", "resources"}  # funding two services at once
