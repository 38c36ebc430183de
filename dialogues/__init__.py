"""The pure dialogue engine and the journeys, written as YAML flows."""
