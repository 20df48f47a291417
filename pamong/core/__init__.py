"""Small pieces shared by every feature: time, responses, errors, logging."""
