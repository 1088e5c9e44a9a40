"""Malformed tool-call arguments as models and OpenAI-compatible servers send them, each with
the arguments a careful reader would take from it (None: nothing can be taken; the model must
send the call again). Shared by tests/test_tool_arguments.py and its figure in SECURITY.md.
"""

from __future__ import annotations

from typing import Any

SAMPLES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("code fence", '```json\n{"metrics": ["csat_avg"]}\n```', {"metrics": ["csat_avg"]}),
    (
        "single quotes",
        "{'metrics': ['csat_avg'], 'period': 'last quarter'}",
        {"metrics": ["csat_avg"], "period": "last quarter"},
    ),
    ("Python literals", '{"compare": None, "remote": True}', {"compare": None, "remote": True}),
    (
        "unquoted keys",
        '{metrics: ["nps"], period: "2026-Q3"}',
        {"metrics": ["nps"], "period": "2026-Q3"},
    ),
    ("trailing comma", '{"metrics": ["csat_avg"],}', {"metrics": ["csat_avg"]}),
    (
        "trailing comma in a list",
        '{"metrics": ["csat_avg", "nps",]}',
        {"metrics": ["csat_avg", "nps"]},
    ),
    (
        "cut off after a value",
        '{"query": "compressor noise", "k": 5',
        {"query": "compressor noise", "k": 5},
    ),
    ("cut off inside a string", '{"query": "compressor noi', {"query": "compressor noi"}),
    ("double-encoded", '"{\\"query\\": \\"noise\\"}"', {"query": "noise"}),
    ("a line comment", '{"query": "noise" // what to look for\n}', {"query": "noise"}),
    ("a block comment", '{"query": /* the words */ "noise"}', {"query": "noise"}),
    ("missing comma between pairs", '{"query": "noise" "k": 5}', {"query": "noise", "k": 5}),
    (
        "unescaped quotes inside a string",
        '{"sql": "SELECT count(*) FROM voc WHERE text LIKE "%noise%""}',
        {"sql": 'SELECT count(*) FROM voc WHERE text LIKE "%noise%"'},
    ),
    (
        "a raw line break inside a string",
        '{"sql": "SELECT 1\nFROM tickets"}',
        {"sql": "SELECT 1\nFROM tickets"},
    ),
    ("text before the object", 'Here are the arguments: {"query": "noise"}', {"query": "noise"}),
    ("text after the object", '{"query": "noise"} I hope this helps.', {"query": "noise"}),
    (
        "nested object cut off",
        '{"filters": {"region": "East"}, "metrics": ["nps"]',
        {"filters": {"region": "East"}, "metrics": ["nps"]},
    ),
    ("full-width colon", '{"query"："噪音"}', {"query": "噪音"}),
    (
        "apostrophe in a double-quoted string",
        "{'query': \"customer's complaint\"}",
        {"query": "customer's complaint"},
    ),
    ("unquoted string value", '{"region": East}', {"region": "East"}),
    ("nested single quotes", "{'filters': {'region': 'East'}}", {"filters": {"region": "East"}}),
    ("byte-order mark", '\ufeff{"query": "noise"}', {"query": "noise"}),
    ("key with a colon missing", '{"query" "noise"}', {"query": "noise"}),
    ("cut off after a key", '{"query": "noise", "k":', {"query": "noise", "k": None}),
    # Nothing to take: the model has to send the call again.
    ("prose", "I will search for noise complaints.", None),
    ("a list, not an object", '["noise", 5]', None),
]
