"""The one owner of "questions the bot could not answer well", for the review and the CLI.

When the bot answers a typed question it records how it went (Advisor → Store.record_turn):
`messages.unanswered` is "nothing" (no topic matched) or "unsure" (it asked "did you mean"),
and `messages.margin` holds the points between the answer and the runner-up when it answered
with a low margin (the matcher says what is low). `question_misses` is those messages, one row
each (made by migration 0012, storage/_schema.py). UNANSWERED_SQL groups those of the last 90
days by what was typed (case and spaces aside), newest first, with the days counted back from
the reader's clock: Store.unanswered's, and the review's page (storage/review/metadata.yaml,
`unanswered_questions`), which groups the same way from its clock_now() (a test keeps the two
giving the same rows). `python -m bot misses` (Store.misses) reads the same rows, and those
whose answer card the person then marked unhelpful, and judges each again with today's rules.
"""

from __future__ import annotations

# What Store.unanswered reads: the misses since :since (a day, 90 back), grouped.
UNANSWERED_DAYS = 90
UNANSWERED_SQL = """
SELECT g.question, g.times, g.unsure, g.low_margin, g.last_asked,
  (SELECT s.reference FROM sessions s WHERE s.id = g.session_id) AS conversation
FROM (
  SELECT max(q.text) AS question, count(*) AS times, sum(q.why = 'unsure') AS unsure,
    sum(q.why = 'low-margin') AS low_margin, max(q.at) AS last_asked,
    max(q.session_id) AS session_id
  FROM question_misses q
  WHERE q.at >= :since
  GROUP BY lower(trim(q.text))
) g
ORDER BY g.last_asked DESC, g.question
LIMIT :limit
"""

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
