"""Parsing of free-text chatbot replies: numbers, measurements, dates and yes/no answers."""
