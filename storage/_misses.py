"""The one owner of "questions the bot could not answer well", for the review and the CLI.

When the bot answers a typed question it records how it went (Advisor → Store.record_turn):
`messages.unanswered` is "nothing" (no topic matched) or "unsure" (it asked "did you mean"),
and `messages.margin` holds the points between the answer and the runner-up when it answered
with a low margin (the matcher says what is low). `question_misses` is those messages, one row
each; `unanswered_questions` groups them by what was typed (case and spaces aside), newest
first, over the last 90 days: the review's content-improvement page and Store.unanswered.
The views are made by migration 0012 (storage/_schema.py, frozen once published); the
queries here read them. `python -m bot misses` (Store.misses) reads the same rows, and those
whose answer card the person then marked unhelpful, and judges each again with today's rules.
"""

from __future__ import annotations

# What the review page and Store.unanswered read (the views are made by migration 0012).
UNANSWERED_SQL = "SELECT * FROM unanswered_questions LIMIT :limit"

# For `misses`: the recorded misses since :since (an ISO time, '' for all), and the questions
# whose answer card was then marked unhelpful (the last matched question before the press).
MISSES_SQL = """
WITH candidates AS (
  SELECT q.id, q.text, q.at, q.step, q.matched, 0 AS unhelpful
  FROM question_misses q WHERE q.at >= :since
  UNION ALL
  SELECT m.id, m.text, m.at, m.step, m.matched, 1
  FROM feedback f
  JOIN messages m ON m.id = (
    SELECT asked.id FROM messages asked
    WHERE asked.user_id = f.user_id AND asked.direction = 'in' AND asked.kind = 'text'
      AND asked.matched IS NOT NULL AND asked.at <= f.at
    ORDER BY asked.at DESC, asked.id DESC LIMIT 1
  )
  WHERE f.helpful = 0 AND f.at >= :since AND m.at >= :since
    AND instr(m.matched, '"' || f.topic_id || '"') > 0
)
SELECT id, text, at, step, matched, max(unhelpful) AS unhelpful FROM candidates
GROUP BY id ORDER BY at, id LIMIT :limit
"""
