//! Detections that look at every CloudTrail record rather than at particular API calls.
//!
//! * **Policy:IAMUser/RootCredentialUsage** (Low, 2): a call made with the account's root user
//!   credentials. Failed calls count (the credentials were used), except a failed `ConsoleLogin`
//!   (wrong password: nothing was used), and calls an AWS service made on root's behalf
//!   (`userIdentity.invokedBy`).
//! * **Policy:IAMUser/ShortTermRootCredentialUsage** (Low, 2): the same with short-lived,
//!   task-scoped root credentials from `sts:AssumeRoot` (`sessionContext.assumedRoot = "true"`);
//!   raised instead of RootCredentialUsage.
//! * **PenTest:IAMUser/KaliLinux**, **ParrotLinux**, **PentooLinux** (Medium, 5): the user agent
//!   names that penetration-testing distribution as a word of its own (`Linux/6.5.0-kali3-amd64`,
//!   `md/distrib#kali.2024`), case-insensitively; a longer word that merely contains the letters
//!   (`Kalimba`) does not count. Failed calls count: the tooling was used.

use super::{Hit, SignalSpec, Target, build_signal};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use warden_model::{CloudTrailEvent, Signal};

const PENTEST: [(&str, &str); 3] = [
    ("kali", "PenTest:IAMUser/KaliLinux"),
    ("parrot", "PenTest:IAMUser/ParrotLinux"),
    ("pentoo", "PenTest:IAMUser/PentooLinux"),
];

pub struct PerEvent {
    root: bool,
    short_term_root: bool,
    pentest: Option<AhoCorasick>,
    pentest_on: [bool; 3],
}

impl PerEvent {
    pub fn new(off: &dyn Fn(&str, &str) -> bool) -> Self {
        let pentest_on = PENTEST.map(|(n, t)| !off(n, t));
        let pentest = pentest_on.iter().any(|b| *b).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(PENTEST.map(|(n, _)| n))
                .expect("three literal patterns always build")
        });
        PerEvent {
            root: !off("RootCredentialUsage", "Policy:IAMUser/RootCredentialUsage"),
            short_term_root: !off(
                "ShortTermRootCredentialUsage",
                "Policy:IAMUser/ShortTermRootCredentialUsage",
            ),
            pentest,
            pentest_on,
        }
    }

    pub fn detect(&self, event: &CloudTrailEvent<'_>, time: i64, out: &mut Vec<Signal>) {
        if let Some(id) = event.identity()
            && id.identity_type() == "Root"
        {
            self.root_usage(event, id, time, out);
        }
        if let Some(ac) = &self.pentest {
            let ua = event.user_agent();
            let bytes = ua.as_bytes();
            let mut seen = [false; 3];
            // The three words share no prefix or suffix, so non-overlapping search (which can use
            // a SIMD prefilter) finds every occurrence that matters.
            for m in ac.find_iter(ua) {
                let i = m.pattern().as_usize();
                let before = m.start().checked_sub(1).map(|j| bytes[j]);
                let after = bytes.get(m.end()).copied();
                let is_word = !before.is_some_and(|b| b.is_ascii_alphabetic())
                    && !after.is_some_and(|b| b.is_ascii_alphabetic());
                if is_word && self.pentest_on[i] && !seen[i] {
                    seen[i] = true;
                    let (os, ty) = PENTEST[i];
                    let hit = Hit::new(
                        Target::AccessKey,
                        format!(
                            "user agent names the {os} penetration-testing distribution: {ua:?}"
                        ),
                    );
                    out.push(build_signal(
                        event,
                        time,
                        SignalSpec {
                            finding_type: ty,
                            severity: 5.0,
                            rule: None,
                            title: "API {api} was invoked from a penetration-testing machine.",
                        },
                        hit,
                    ));
                }
            }
        }
    }

    fn root_usage(
        &self,
        event: &CloudTrailEvent<'_>,
        id: &warden_model::event::UserIdentity<'_>,
        time: i64,
        out: &mut Vec<Signal>,
    ) {
        if id.invoked_by.as_deref().is_some_and(|s| !s.is_empty()) {
            return;
        }
        if event.event_name() == "ConsoleLogin" && !console_login_succeeded(event) {
            return;
        }
        let short_term = id
            .session_context
            .as_ref()
            .and_then(|c| c.assumed_root.as_deref())
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let (on, ty, title, why) = if short_term {
            (
                self.short_term_root,
                "Policy:IAMUser/ShortTermRootCredentialUsage",
                "API {api} was invoked using short-term root credentials.",
                "userIdentity is Root with sessionContext.assumedRoot=true (credentials from sts:AssumeRoot)",
            )
        } else {
            (
                self.root,
                "Policy:IAMUser/RootCredentialUsage",
                "API {api} was invoked using root credentials.",
                "userIdentity.type is Root",
            )
        };
        if !on {
            return;
        }
        let mut signal = build_signal(
            event,
            time,
            SignalSpec {
                finding_type: ty,
                severity: 2.0,
                rule: None,
                title,
            },
            Hit::new(Target::AccessKey, why),
        );
        // One finding per account's root user, whichever key or session it used.
        signal.resource_key = format!("root:{}", signal.account_id);
        out.push(signal);
    }
}

/// A console sign-in that succeeded (`responseElements.ConsoleLogin == "Success"`; failed sign-ins
/// carry no errorCode).
pub(crate) fn console_login_succeeded(event: &CloudTrailEvent<'_>) -> bool {
    #[derive(serde::Deserialize)]
    struct Resp<'a> {
        #[serde(rename = "ConsoleLogin", borrow)]
        console_login: Option<std::borrow::Cow<'a, str>>,
    }
    event.succeeded()
        && event
            .response::<Resp>()
            .and_then(|r| r.console_login)
            .is_some_and(|s| s == "Success")
}
