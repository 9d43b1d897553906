"""The website chat: a small, stateless server for the chat page and the embeddable chat.js."""
