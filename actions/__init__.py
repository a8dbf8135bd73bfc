"""Custom actions of the assistant (rasa-sdk). Thin: they read the tracker, call bot/, send."""
