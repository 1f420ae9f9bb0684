//! A case's past, replayed step by step under the same rules as one change
//! at a time. History loaded in bulk (the national demo) is built here, so
//! it can hold nothing the service would refuse; storage then writes the
//! finished histories many at a time.

use crate::casework::{
    CLOSED, Case, CaseDraft, CaseId, Child, ChildDraft, ENDED_BY_TRANSFER, HearingDraft,
    HearingInput, PartyDraft, Pathway, TransferDraft, TransferInput, WorkItem, WorkItemDraft,
    WorkItemInput, check_after_last_closure, check_allocation, check_filing, check_first_met,
    stage_on_allocation,
};
use crate::child_experience::{ChildOutcomeInput, ready_to_close};
use crate::choice::Choice;
use crate::delay::is_adjournment;
use crate::error::DomainError;
use crate::organisation::{ServiceAreaId, StaffId, StaffMember, Team, TeamId};
use crate::rollups::{ApplicationFacts, CaseFacts};
use jiff::civil::Date;

/// One step of the case's history, as its event log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricEvent {
    pub kind: &'static str,
    pub on: Date,
    pub from_stage: Option<&'static str>,
    pub to_stage: Option<&'static str>,
    pub reason: Option<String>,
}

/// Someone who held the case, from when and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricAllocation {
    pub staff_id: StaffId,
    pub allocated_on: Date,
    pub ended_on: Option<Date>,
    pub reason: Option<String>,
    pub ended_reason: Option<&'static str>,
}

/// A case and everything that happened to it, in order.
#[derive(Debug, Clone)]
pub struct CaseHistory {
    /// The case as it stands after the last step (its id is not yet known).
    pub case: Case,
    pub lead_application_harm_alleged: bool,
    pub lead_application_kind: String,
    pub children: Vec<Child>,
    pub parties: Vec<PartyDraft>,
    pub work: Vec<WorkItem>,
    pub hearings: Vec<HearingDraft>,
    pub allocations: Vec<HistoricAllocation>,
    pub transfers: Vec<TransferDraft>,
    pub events: Vec<HistoricEvent>,
    /// The day the history is told up to: nothing may be later.
    today: Date,
    last_closure: Option<Date>,
}

impl CaseHistory {
    /// A case opened on the day it was received, at the first stage of
    /// `pathway` (the one its service area uses for its law type).
    pub fn open(
        draft: CaseDraft,
        pathway: &'static Pathway,
        children: Vec<ChildDraft>,
        parties: Vec<PartyDraft>,
        work: Vec<WorkItemDraft>,
        today: Date,
    ) -> Result<Self, DomainError> {
        if children.is_empty() {
            return Err(DomainError::invalid("children", "Add at least one child"));
        }
        if pathway.law_type != draft.law_type {
            return Err(DomainError::invalid(
                "pathway",
                "The pathway is for another law type",
            ));
        }
        let case = Case {
            id: CaseId(0),
            case_number: draft.case_number,
            court_id: crate::organisation::CourtId(draft.court_id),
            law_type: draft.law_type,
            pathway,
            stage: pathway.first_stage(),
            received_on: draft.received_on,
            issued_on: draft.issued_on,
            local_authority_id: draft
                .local_authority_id
                .map(crate::organisation::LocalAuthorityId),
            team_id: TeamId(draft.team_id),
            allocated_to: None,
            closed_on: None,
            version: 1,
        };
        let work = work
            .into_iter()
            .map(|w| WorkItem {
                id: 0,
                case_id: CaseId(0),
                kind: w.kind,
                due_on: w.due_on,
                filed_on: None,
                late_reason: None,
                version: 1,
            })
            .collect();
        Ok(Self {
            events: vec![HistoricEvent {
                kind: "opened",
                on: case.received_on,
                from_stage: None,
                to_stage: Some(case.stage),
                reason: None,
            }],
            case,
            lead_application_harm_alleged: draft.harm_alleged,
            lead_application_kind: draft.application_type,
            children: children
                .into_iter()
                .map(|details| Child {
                    id: 0,
                    details,
                    experience: Default::default(),
                    outcome: None,
                    version: 1,
                })
                .collect(),
            parties,
            work,
            hearings: Vec::new(),
            allocations: Vec::new(),
            transfers: Vec::new(),
            today,
            last_closure: None,
        })
    }

    /// The day of the latest step so far: steps are told in order.
    pub fn last_step_on(&self) -> Date {
        self.events.last().map_or(self.case.received_on, |e| e.on)
    }

    fn check_in_order(&self, on: Date) -> Result<(), DomainError> {
        if on > self.today {
            return Err(DomainError::invalid(
                "on",
                "The date cannot be in the future",
            ));
        }
        if on < self.last_step_on() {
            return Err(DomainError::invalid(
                "on",
                format!(
                    "A case's history is told in order: {on} is before its last step, on {}",
                    self.last_step_on()
                ),
            ));
        }
        Ok(())
    }

    fn record(&mut self, event: HistoricEvent) {
        self.case.version += 1;
        self.events.push(event);
    }

    /// Moves the case on along its pathway, closing it when `to` is closed.
    pub fn move_to(&mut self, to: &str, on: Date, reason: Option<&str>) -> Result<(), DomainError> {
        self.check_in_order(on)?;
        self.case.pathway.check_move(self.case.stage, to)?;
        let to = self.stage_code(to)?;
        if to == CLOSED {
            ready_to_close(&self.children)?;
            check_after_last_closure(on, self.last_closure)?;
            self.case.closed_on = Some(on);
            self.last_closure = Some(on);
        }
        let from = self.case.stage;
        self.case.stage = to;
        self.record(HistoricEvent {
            kind: "moved",
            on,
            from_stage: Some(from),
            to_stage: Some(to),
            reason: reason.map(str::to_owned),
        });
        Ok(())
    }

    /// Re-opens a closed case at stage `to`.
    pub fn reopen(&mut self, to: &str, on: Date, reason: &str) -> Result<(), DomainError> {
        self.check_in_order(on)?;
        self.case.pathway.check_reopen(self.case.stage, to)?;
        check_after_last_closure(on, self.last_closure)?;
        let to = self.stage_code(to)?;
        let from = self.case.stage;
        self.case.stage = to;
        self.case.closed_on = None;
        self.last_closure = Some(on);
        self.record(HistoricEvent {
            kind: "reopened",
            on,
            from_stage: Some(from),
            to_stage: Some(to),
            reason: Some(reason.to_owned()),
        });
        Ok(())
    }

    fn stage_code(&self, code: &str) -> Result<&'static str, DomainError> {
        self.case
            .pathway
            .stage(code)
            .map(|s| s.code)
            .ok_or_else(|| DomainError::invalid("to", "That stage is not on the case's pathway"))
    }

    /// Allocates the case to `worker` (whose team is in `worker_area`; the
    /// case's team is in `case_area`), moving it to its allocated stage
    /// when it was waiting for one.
    pub fn allocate(
        &mut self,
        worker: &StaffMember,
        worker_area: Option<ServiceAreaId>,
        case_area: ServiceAreaId,
        on: Date,
        reason: Option<&str>,
    ) -> Result<(), DomainError> {
        self.check_in_order(on)?;
        check_allocation(&self.case, worker, worker_area, case_area, on, reason)?;
        if let Some(current) = self.allocations.iter_mut().find(|a| a.ended_on.is_none()) {
            current.ended_on = Some(on);
        }
        self.allocations.push(HistoricAllocation {
            staff_id: worker.id,
            allocated_on: on,
            ended_on: None,
            reason: reason.map(str::to_owned),
            ended_reason: None,
        });
        let kind = if self.case.allocated_to.is_some() {
            "reallocated"
        } else {
            "allocated"
        };
        let moved_to = stage_on_allocation(&self.case);
        self.case.allocated_to = Some(worker.id);
        let note = format!("to {}", worker.full_name());
        self.record(HistoricEvent {
            kind,
            on,
            from_stage: None,
            to_stage: None,
            reason: Some(reason.map_or(note.clone(), |r| format!("{note}: {r}"))),
        });
        if let Some(to) = moved_to {
            let from = self.case.stage;
            self.case.stage = to;
            self.events.push(HistoricEvent {
                kind: "moved",
                on,
                from_stage: Some(from),
                to_stage: Some(to),
                reason: Some("Allocated".into()),
            });
        }
        Ok(())
    }

    /// Transfers the open case to `to_team`; its worker stops holding it.
    pub fn transfer(&mut self, to_team: &Team, on: Date, reason: &str) -> Result<(), DomainError> {
        self.check_in_order(on)?;
        let current = self.allocations.iter_mut().find(|a| a.ended_on.is_none());
        let draft = TransferInput {
            to_team_id: Some(to_team.id.0),
            transferred_on: on.to_string(),
            reason: reason.to_owned(),
        }
        .validate(
            &self.case,
            Some(to_team),
            self.today,
            self.transfers.last().map(|t| t.transferred_on),
            current.as_ref().map(|a| a.allocated_on),
        )?;
        if let Some(current) = current {
            current.ended_on = Some(on);
            current.ended_reason = Some(ENDED_BY_TRANSFER);
        }
        self.case.team_id = draft.to_team_id;
        self.case.allocated_to = None;
        let stage = self.case.stage;
        self.record(HistoricEvent {
            kind: "transferred",
            on,
            from_stage: Some(stage),
            to_stage: Some(stage),
            reason: Some(draft.reason.clone()),
        });
        self.transfers.push(draft);
        Ok(())
    }

    /// A hearing held while the case was open.
    pub fn hear(&mut self, hearing: &HearingInput) -> Result<(), DomainError> {
        let draft = hearing.validate(&self.case)?;
        self.check_in_order(draft.on)?;
        self.events.push(HistoricEvent {
            kind: "hearing",
            on: draft.on,
            from_stage: None,
            to_stage: None,
            reason: Some(draft.kind.label().to_owned()),
        });
        self.hearings.push(draft);
        Ok(())
    }

    /// Work owed to the court, set while the case is open; its index.
    pub fn set_work(&mut self, work: &WorkItemInput) -> Result<usize, DomainError> {
        let draft = work.validate(&self.case)?;
        self.work.push(WorkItem {
            id: 0,
            case_id: CaseId(0),
            kind: draft.kind,
            due_on: draft.due_on,
            filed_on: None,
            late_reason: None,
            version: 1,
        });
        Ok(self.work.len() - 1)
    }

    /// Files work item `index` on `filed_on`, giving `late_reason` when late.
    pub fn file(
        &mut self,
        index: usize,
        filed_on: Date,
        late_reason: &str,
    ) -> Result<(), DomainError> {
        let received_on = self.case.received_on;
        let today = self.today;
        let item = self
            .work
            .get_mut(index)
            .ok_or_else(|| DomainError::invalid("work_item", "No such work item"))?;
        let (filed, reason) =
            check_filing(item, received_on, &filed_on.to_string(), late_reason, today)?;
        item.filed_on = Some(filed);
        item.late_reason = reason;
        item.version += 1;
        Ok(())
    }

    /// The day child `index` first met their adviser.
    pub fn first_met(&mut self, index: usize, on: Date) -> Result<(), DomainError> {
        let received_on = self.case.received_on;
        let today = self.today;
        let child = self
            .children
            .get_mut(index)
            .ok_or_else(|| DomainError::invalid("child", "No such child"))?;
        let met = check_first_met(&on.to_string(), &child.details, received_on, today)
            .map_err(|message| DomainError::invalid("first_met_fca_on", message))?;
        child.experience.first_met_fca_on = met;
        child.version += 1;
        Ok(())
    }

    /// What the proceedings decided for child `index`.
    pub fn outcome(
        &mut self,
        index: usize,
        outcome: &ChildOutcomeInput,
    ) -> Result<(), DomainError> {
        let decided = outcome.validate(&self.case, self.today)?;
        self.check_in_order(decided.recorded_on)?;
        let child = self
            .children
            .get_mut(index)
            .ok_or_else(|| DomainError::invalid("child", "No such child"))?;
        let orders: Vec<&str> = decided.orders.iter().map(|o| o.label()).collect();
        let what = format!("{}: {}", child.full_name(), orders.join("; "));
        let on = decided.recorded_on;
        child.outcome = Some(decided);
        child.version += 1;
        self.events.push(HistoricEvent {
            kind: "child-outcome",
            on,
            from_stage: None,
            to_stage: None,
            reason: Some(what),
        });
        Ok(())
    }

    /// What the measures and the delay analysis read of the case, as
    /// storage would read it back once stored: a bulk load counts its cases
    /// from this instead of reading them again. The national demo's test
    /// checks the two agree.
    pub fn facts(&self) -> CaseFacts {
        let case = &self.case;
        let mut holders = vec![(
            case.received_on,
            self.transfers
                .first()
                .map_or(case.team_id.0, |t| t.from_team_id.0),
        )];
        holders.extend(
            self.transfers
                .iter()
                .map(|t| (t.transferred_on, t.to_team_id.0)),
        );
        let mut facts = CaseFacts {
            law_type: case.law_type,
            pathway: case.pathway.code.to_owned(),
            care_proceedings: matches!(self.lead_application_kind.as_str(), "care" | "supervision"),
            received_on: case.received_on,
            issued_on: case.issued_on,
            court_id: case.court_id.0,
            local_authority_id: case.local_authority_id.map(|l| l.0),
            holders,
            closures: Vec::new(),
            children_first_met: self
                .children
                .iter()
                .map(|c| c.experience.first_met_fca_on)
                .collect(),
            applications: vec![ApplicationFacts {
                kind: self.lead_application_kind.clone(),
                received_on: case.received_on,
                issued_on: case.issued_on,
            }],
            allocations: self
                .allocations
                .iter()
                .map(|a| (a.allocated_on, a.ended_on))
                .collect(),
            work: self.work.iter().map(|w| (w.due_on, w.filed_on)).collect(),
            first_hearing: self.hearings.iter().map(|h| h.on).min(),
            stages: Vec::new(),
            adjournments: self
                .hearings
                .iter()
                .filter(|h| is_adjournment(h.outcome.as_deref().unwrap_or("")))
                .count(),
        };
        for event in &self.events {
            facts.add_event(event.kind, event.to_stage, event.on);
        }
        facts.settle_closures(case.closed_on);
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::{LawType, PRIVATE_LAW, WorkKind};
    use crate::organisation::{ContractType, Fte, JobGroup};
    use jiff::civil::date;

    fn draft() -> CaseDraft {
        CaseDraft {
            case_number: "ZZ26P00001".into(),
            court_id: 1,
            law_type: LawType::Private,
            application_type: "child-arrangements".into(),
            harm_alleged: false,
            received_on: date(2026, 1, 5),
            issued_on: Some(date(2026, 1, 5)),
            local_authority_id: None,
            team_id: 7,
        }
    }

    fn child() -> ChildDraft {
        crate::casework::ChildInput {
            given_name: "Ada".into(),
            family_name: "Khan".into(),
            date_of_birth: "2019-04-02".into(),
            ..Default::default()
        }
        .validate(date(2026, 1, 5))
        .unwrap()
    }

    fn history() -> CaseHistory {
        CaseHistory::open(
            draft(),
            &PRIVATE_LAW,
            vec![child()],
            Vec::new(),
            vec![WorkItemDraft {
                kind: WorkKind::SafeguardingLetter,
                due_on: date(2026, 1, 20),
            }],
            date(2026, 11, 1),
        )
        .unwrap()
    }

    fn worker() -> StaffMember {
        StaffMember {
            id: StaffId(3),
            given_name: "Sam".into(),
            family_name: "Shah".into(),
            job_group: JobGroup::Practitioner,
            grade: "Family court adviser".into(),
            fte: Fte::parse("1").unwrap(),
            team_id: Some(TeamId(7)),
            line_manager_id: None,
            contract_type: ContractType::Employed,
            start_date: date(2020, 1, 1),
            end_date: None,
            version: 1,
        }
    }

    fn outcome() -> ChildOutcomeInput {
        ChildOutcomeInput {
            orders: "no-order".into(),
            lives_with: "mother".into(),
            recorded_on: "2026-05-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_whole_private_law_case_keeps_to_the_rules() {
        let mut h = history();
        for (to, day) in [
            ("safeguarding-checks", 6),
            ("safeguarding-letter", 12),
            ("first-hearing", 19),
        ] {
            h.move_to(to, date(2026, 1, day), None).unwrap();
        }
        h.file(0, date(2026, 1, 19), "").unwrap();
        h.move_to("awaiting-allocation", date(2026, 2, 2), None)
            .unwrap();
        h.allocate(
            &worker(),
            Some(ServiceAreaId(2)),
            ServiceAreaId(2),
            date(2026, 2, 9),
            None,
        )
        .unwrap();
        assert_eq!(h.case.stage, "allocated");
        h.first_met(0, date(2026, 2, 20)).unwrap();
        h.move_to("section-7-report", date(2026, 3, 1), None)
            .unwrap();
        h.move_to("final-hearing", date(2026, 4, 1), None).unwrap();
        // Closing needs every child's outcome.
        assert!(h.move_to(CLOSED, date(2026, 5, 1), None).is_err());
        h.outcome(0, &outcome()).unwrap();
        h.move_to(CLOSED, date(2026, 5, 1), None).unwrap();
        assert_eq!(h.case.closed_on, Some(date(2026, 5, 1)));
        h.reopen("final-hearing", date(2026, 6, 1), "Appeal")
            .unwrap();
        assert_eq!(h.case.closed_on, None);
        assert_eq!(
            h.events.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [
                "opened",
                "moved",
                "moved",
                "moved",
                "moved",
                "allocated",
                "moved",
                "moved",
                "moved",
                "child-outcome",
                "moved",
                "reopened"
            ]
        );
    }

    #[test]
    fn steps_out_of_order_or_off_the_pathway_are_refused() {
        let mut h = history();
        h.move_to("safeguarding-checks", date(2026, 1, 10), None)
            .unwrap();
        assert!(
            h.move_to("safeguarding-letter", date(2026, 1, 9), None)
                .is_err()
        );
        assert!(h.move_to("allocated", date(2026, 1, 11), None).is_err());
        assert!(
            h.move_to("safeguarding-letter", date(2026, 12, 1), None)
                .is_err(),
            "after the day the history is told up to"
        );
        // Late work needs a reason.
        assert!(h.file(0, date(2026, 2, 1), "").is_err());
        h.file(0, date(2026, 2, 1), "Police checks came back late")
            .unwrap();
        assert_eq!(
            h.work[0].late_reason.as_deref(),
            Some("Police checks came back late")
        );
    }

    #[test]
    fn a_transfer_ends_the_allocation_and_changes_the_team() {
        let mut h = history();
        h.allocate(
            &worker(),
            Some(ServiceAreaId(2)),
            ServiceAreaId(2),
            date(2026, 1, 8),
            None,
        )
        .unwrap();
        let team = Team {
            id: TeamId(8),
            code: "T8".into(),
            name: "Team eight".into(),
            service_area_id: ServiceAreaId(3),
            office_id: None,
            version: 1,
        };
        assert!(h.transfer(&team, date(2026, 1, 7), "Family moved").is_err());
        h.transfer(&team, date(2026, 2, 1), "Family moved").unwrap();
        assert_eq!(h.case.team_id, TeamId(8));
        assert_eq!(h.case.allocated_to, None);
        assert_eq!(h.allocations[0].ended_reason, Some(ENDED_BY_TRANSFER));
        assert_eq!(h.allocations[0].ended_on, Some(date(2026, 2, 1)));
    }
}
