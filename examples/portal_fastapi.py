"""A portal embedding ServiceLens as a library: one ``Analyst``, one FastAPI handler.

    SERVICELENS_HOME=./.servicelens uvicorn --factory examples.portal_fastapi:build_app

The analyst opens when the app starts and closes when it stops; ``aask`` runs the answer in a
worker thread, so the portal's event loop stays free while the model and tools work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel

from servicelens import Analyst


class Question(BaseModel):
    text: str
    conversation: str | None = None  # the thread id of an earlier answer, for follow-ups


def build_app(open_analyst: Callable[[], Analyst] = Analyst.open) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_analyst() as analyst:
            app.state.analyst = analyst
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/portal/ask")
    async def ask(question: Question, request: Request) -> dict[str, Any]:
        analyst: Analyst = request.app.state.analyst
        answer = await analyst.aask(question.text, thread_id=question.conversation)
        return {
            "answer": answer.text,  # Markdown with inline citations such as [Q1]
            "status": answer.status,  # answered, partial, insufficient_data, refused
            "conversation": answer.thread_id,
            "sources": [
                {"id": c.id, "sql": c.sql, "rows": c.rows[:5], "quote": c.quote}
                for c in answer.citations
            ],
        }

    return app
