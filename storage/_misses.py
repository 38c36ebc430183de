"""The query behind `python -m bot misses` and the staff review's unanswered-questions page.

What people typed that the bot may have answered badly: a text message that matched no topic,
one that matched several (a "did you mean", or a close runner-up), or one whose answer card the
person then marked as not helpful. The caller re-reads each text with today's rules to say
which of these it still is; this query only finds the candidates, oldest first.
"""

from __future__ import annotations

# :since is an ISO timestamp (the messages table's format); '' takes everything.
UNANSWERED_SQL = """
WITH typed AS (
  SELECT m.id, m.user_id, m.text, m.at, m.step, m.matched, EXISTS (
      SELECT 1 FROM feedback f
      WHERE f.user_id = m.user_id AND f.helpful = 0 AND f.at >= m.at
        AND m.matched IS NOT NULL AND instr(m.matched, '"' || f.topic_id || '"') > 0
        AND NOT EXISTS (
          SELECT 1 FROM messages later
          WHERE later.user_id = m.user_id AND later.direction = 'in' AND later.kind = 'text'
            AND later.matched IS NOT NULL AND later.at > m.at AND later.at <= f.at
        )
    ) AS unhelpful
  FROM messages m
  WHERE m.direction = 'in' AND m.kind = 'text' AND m.at >= :since
)
SELECT id, text, at, step, matched, unhelpful FROM typed
WHERE matched IS NULL OR json_array_length(matched) > 1 OR unhelpful
ORDER BY at, id
LIMIT :limit
"""
