"""Undo and redo over service calls: every change the app makes is one of these commands.

A command keeps what it needs to do and undo its change as drafts and UIDs, never as rows:
each ``redo`` and ``undo`` is one service call in one transaction. A meeting is found again by
its UID (stable across a delete and its undo), not by its id. A service refusing (the change no
longer fits the calendar, say after an import) raises ``LiaisonError``; the main window shows
it and the stack stays where it was.
"""

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtGui import QUndoCommand, QUndoStack

from liaison_calendar.domain.enums import ActionStatus, Status
from liaison_calendar.domain.models import ExerciseDraft, MeetingDraft, MeetingPatch, SeriesDraft
from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services

Moment = date | datetime

Changed = Callable[[str | None], None]
"""Told after every redo and undo, with the UID of the meeting to show (None: none)."""


Failed = Callable[[str], None]
"""Told when an undo or redo is refused by the services, with the reason."""


class _ServiceCommand(QUndoCommand):
    """Subclasses implement ``_do`` and ``_undo``.

    Qt calls ``redo`` when a command is pushed, and an exception raised there would only be
    printed (PySide cannot pass it through C++), so the first run is ``execute``, before the
    push, where a refusal is a normal exception and nothing is pushed.
    """

    failed: Failed = staticmethod(lambda message: None)

    def __init__(self, services: Services, text: str, changed: Changed) -> None:
        super().__init__(text)
        self._services = services
        self._changed = changed
        self._done_once = False

    def execute(self, stack: QUndoStack) -> None:
        """Do it now (raising ``LiaisonError`` if refused), then make it undoable."""
        self._do()
        self._done_once = True
        stack.push(self)

    def redo(self) -> None:
        if self._done_once:
            self._done_once = False  # the push's own redo: already done by execute
            return
        self._guarded(self._do)

    def undo(self) -> None:
        self._guarded(self._undo)

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except LiaisonError as exc:
            self.setObsolete(True)
            type(self).failed(exc.message)

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


class CreateMeeting(_ServiceCommand):
    def __init__(self, services: Services, draft: MeetingDraft, changed: Changed) -> None:
        super().__init__(services, f"New meeting “{draft.title}”", changed)
        self._draft = draft
        self.uid: str | None = draft.uid

    def _do(self) -> None:
        draft = (
            self._draft if self.uid is None else self._draft.model_copy(update={"uid": self.uid})
        )
        self.uid = self._services.meetings.create(draft).uid
        self._changed(self.uid)

    def _undo(self) -> None:
        assert self.uid is not None
        self._services.meetings.delete(self.uid)
        self._changed(None)


class CreateIteration(_ServiceCommand):
    """The next meeting of a series, carrying open action items over from earlier ones.

    Undone by deleting it and opening the carried items again where they were raised."""

    def __init__(
        self,
        services: Services,
        draft: MeetingDraft,
        carried: list[int | None],
        changed: Changed,
    ) -> None:
        super().__init__(services, f"New iteration “{draft.title}”", changed)
        self._draft = draft
        self._carried = carried
        self.uid: str | None = draft.uid

    def _do(self) -> None:
        draft = self._draft
        if self.uid is not None:
            draft = draft.model_copy(update={"uid": self.uid})
        self.uid = self._services.series.create_iteration(draft, self._carried).uid
        self._changed(self.uid)

    def _undo(self) -> None:
        assert self.uid is not None
        self._services.meetings.delete(self.uid)
        for source in self._carried:
            if source is not None:
                self._services.meetings.set_action_status(source, ActionStatus.OPEN)
        self._changed(None)


class ReplaceMeeting(_ServiceCommand):
    """An edit in the meeting dialog: everything the meeting says, before and after.

    Only what the edit changed is written, onto what the meeting says when it is written: a
    field another copy of the app (or the command line) changed while the dialog was open,
    and this edit left alone, keeps the other copy's value. Undo takes back only this edit's
    changes the same way.
    """

    def __init__(
        self,
        services: Services,
        meeting_id: int,
        before: MeetingDraft,
        after: MeetingDraft,
        changed: Changed,
    ) -> None:
        super().__init__(services, f"Edit “{after.title}”", changed)
        self._id = meeting_id
        self._before, self._after = before, after

    def _do(self) -> None:
        self._changed(self._replace(self._before, self._after))

    def _undo(self) -> None:
        self._changed(self._replace(self._after, self._before))

    def _replace(self, old: MeetingDraft, new: MeetingDraft) -> str:
        from liaison_calendar.ui.meeting_dialog import draft_from_detail  # the editor, lazily

        meetings = self._services.meetings
        now = draft_from_detail(meetings.get(self._id))
        edited = {
            name: getattr(new, name)
            for name in MeetingDraft.model_fields
            if getattr(old, name) != getattr(new, name)
        }
        return meetings.replace(self._id, now.model_copy(update=edited)).uid


class DeleteMeeting(_ServiceCommand):
    """Undone by creating the meeting again under the same UID, from its draft."""

    def __init__(
        self,
        services: Services,
        uid: str,
        draft: MeetingDraft,
        changed: Changed,
        overrides: list[tuple[Moment, MeetingDraft]] | None = None,
    ) -> None:
        super().__init__(services, f"Delete “{draft.title}”", changed)
        self._uid = uid
        self._draft = draft.model_copy(update={"uid": uid})
        self._overrides = overrides or []  # changed occurrences: (occurrence, what it says)

    def _do(self) -> None:
        self._services.meetings.delete(self._uid)
        self._changed(None)

    def _undo(self) -> None:
        meetings = self._services.meetings
        uid = meetings.create(self._draft).uid
        for when, draft in self._overrides:
            meetings.restore_override(uid, when, draft)
        self._changed(uid)


class SetStatus(_ServiceCommand):
    """Cancel, postpone or confirm a meeting; undone by setting the old status back."""

    def __init__(
        self, services: Services, meeting_id: int, before: Status, after: Status, changed: Changed
    ) -> None:
        word = {Status.CANCELLED: "Cancel", Status.POSTPONED: "Postpone"}.get(after, "Confirm")
        super().__init__(services, f"{word} meeting", changed)
        self._id = meeting_id
        self._before, self._after = before, after

    def _do(self) -> None:
        self._changed(self._services.meetings.edit(self._id, MeetingPatch(status=self._after)).uid)

    def _undo(self) -> None:
        self._changed(self._services.meetings.edit(self._id, MeetingPatch(status=self._before)).uid)


class Reschedule(_ServiceCommand):
    """A meeting dragged to a new time (its length kept)."""

    def __init__(
        self,
        services: Services,
        meeting_id: int,
        before: tuple[Moment, Moment],
        after: tuple[Moment, Moment],
        changed: Changed,
    ) -> None:
        super().__init__(services, "Move meeting", changed)
        self._id = meeting_id
        self._before, self._after = before, after

    def _do(self) -> None:
        start, end = self._after
        self._changed(self._services.meetings.reschedule(self._id, start, end).uid)

    def _undo(self) -> None:
        start, end = self._before
        self._changed(self._services.meetings.reschedule(self._id, start, end).uid)


ExerciseState = tuple[ExerciseDraft, dict[str, int | None]]
"""What an exercise says, and the planning meeting of each phase (by phase UID)."""


class SaveExercise(_ServiceCommand):
    """A new exercise (``before`` None) or an edited one, with its phases' planning meetings.

    The exercise is found by its UID each time: undoing a delete may give it a new id."""

    def __init__(
        self,
        services: Services,
        before: ExerciseState | None,
        after: ExerciseState,
        changed: Changed,
    ) -> None:
        verb = "New" if before is None else "Edit"
        super().__init__(services, f"{verb} exercise “{after[0].name}”", changed)
        self._before, self._after = before, after

    def _id(self, uid: str) -> int:
        return next(e.id for e in self._services.exercises.list() if e.uid == uid)

    def _apply(self, state: ExerciseState, create: bool) -> None:
        draft, links = state
        exercises = self._services.exercises
        if create:
            created = exercises.create(draft)
            self._after = (draft.model_copy(update={"uid": created.uid}), links)
            exercise_id = created.id
        else:
            assert draft.uid is not None
            exercise_id = self._id(draft.uid)
            exercises.update(exercise_id, draft)
        exercises.link_meetings(exercise_id, links)
        self._changed(None)

    def _do(self) -> None:
        self._apply(self._after, create=self._before is None)

    def _undo(self) -> None:
        if self._before is None:
            uid = self._after[0].uid
            assert uid is not None
            self._services.exercises.delete(self._id(uid))
            self._changed(None)
        else:
            self._apply(self._before, create=False)


class SaveSeries(_ServiceCommand):
    """A new series (``before`` None, undone by deleting it while it has no meeting) or an
    edited one (found by its id, which a rename keeps)."""

    def __init__(
        self,
        services: Services,
        series_id: int | None,
        before: SeriesDraft | None,
        after: SeriesDraft,
        changed: Changed,
    ) -> None:
        verb = "New" if before is None else "Edit"
        super().__init__(services, f"{verb} series “{after.name}”", changed)
        self._id, self._before, self._after = series_id, before, after

    def _do(self) -> None:
        series = self._services.series
        if self._before is None:
            self._id = series.create(self._after).id
        else:
            assert self._id is not None
            series.update(self._id, self._after)
        self._changed(None)

    def _undo(self) -> None:
        assert self._id is not None
        if self._before is None:
            self._services.series.delete_empty(self._id)
        else:
            self._services.series.update(self._id, self._before)
        self._changed(None)


class MoveOccurrence(_ServiceCommand):
    """One occurrence of a repeating meeting dragged elsewhere: it becomes a changed
    occurrence (RECURRENCE-ID); undone by deleting that change."""

    def __init__(
        self,
        services: Services,
        master_id: int,
        when: Moment,
        after: tuple[Moment, Moment],
        changed: Changed,
    ) -> None:
        super().__init__(services, "Move one occurrence", changed)
        self._master_id, self._when, self._after = master_id, when, after
        self._override_id: int | None = None

    def _do(self) -> None:
        start, end = self._after
        detail = self._services.meetings.override_occurrence(
            self._master_id, self._when, MeetingPatch(start=start, end=end)
        )
        self._override_id = detail.id
        self._changed(detail.uid)

    def _undo(self) -> None:
        assert self._override_id is not None
        self._services.meetings.delete(self._override_id)
        self._changed(None)
