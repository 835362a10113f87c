//! Which instance is it: an inventory of EC2 instances and their network interfaces, so findings
//! from network logs carry GuardDuty's full `instanceDetails` (instance id, type, image, launch
//! time, profile, tags, and every interface with its addresses, subnet, VPC and security groups).
//!
//! # What it learns from
//!
//! * CloudTrail, as the scan reads it (only successful `ec2.amazonaws.com` calls, parsed only when
//!   the event name is one of these): `RunInstances` (every instance of `responseElements.
//!   instancesSet` with its `networkInterfaceSet`, tags from `tagSet` or the request's
//!   `tagSpecificationSet`), `CreateNetworkInterface`, `AttachNetworkInterface`,
//!   `DeleteNetworkInterface`, `CreateTags`/`DeleteTags` on instance ids, `StartInstances`/
//!   `StopInstances`/`TerminateInstances` (`instanceState`; termination ends the instance's hold
//!   on its addresses) and `AssociateAddress` (a public address given in the request).
//! * Inventory files a user gives: the JSON `aws ec2 describe-instances` prints
//!   (`Reservations[].Instances[]`), `aws ec2 run-instances` prints (`Instances[]`) or
//!   `aws ec2 describe-network-interfaces` prints (`NetworkInterfaces[]`), told apart by content.
//!
//! # How a finding's local end is matched
//!
//! Detectors say what their record names: an instance id (flow-log `instance-id`, Resolver
//! `srcids.instance`, a CloudTrail request), an interface (flow-log `interface-id`), a local
//! address, and sometimes a VPC. The inventory tries, in order:
//!
//! 1. the instance id;
//! 2. the interface id (the instance it is attached to, else the interface alone);
//! 3. (account, address): an interface in the same account holding that private, IPv6 or public
//!    address at the finding's event time (from [`ADDRESS_SLACK_MS`] before the address was
//!    assigned to [`ADDRESS_SLACK_MS`] after its instance was terminated or its interface
//!    deleted), in the same Region and VPC when both sides name them. Addresses are reused, so
//!    an address match is refused when it contradicts what the record does say (another
//!    interface or instance id), and when holders in different VPCs remain (a guess would name
//!    the wrong instance). Within one VPC the latest assignment wins.
//!
//! A finding whose local end is not matched keeps what the record said: its title and
//! `localIpDetails` name the interface and address, and `instanceDetails.networkInterfaces`
//! carries the interface id, address, subnet and VPC the record gave.
//!
//! # Bounds
//!
//! Instances and interfaces together never exceed the capacity. When full, the entry touched
//! longest ago in event time (learned, updated, or matched by a finding) is evicted; touching an
//! instance touches its interfaces, so they leave together. Each interface indexes at most
//! [`MAX_ADDRESSES_PER_INTERFACE`] addresses, each address remembers at most
//! [`MAX_HOLDERS_PER_ADDRESS`] interfaces, and an instance at most
//! [`MAX_INTERFACES_PER_INSTANCE`] interfaces. Entries from files count as touched at their
//! launch (or attach) time, so instances the scan's own logs show outlive them.
//!
//! # Limits
//!
//! `instanceState` is the latest state known, not the state at the finding's time. An
//! `AssociateAddress` that names only an allocation id (no `publicIp`) teaches nothing, as the
//! address behind the allocation is not tracked.

use crate::decode::dns::DnsQuery;
use crate::decode::flow::FlowRecord;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use warden_model::finding::{
    Action, IamInstanceProfile, InstanceDetails, NetworkInterface, PrivateIpAddressDetails,
    ProductCode, Resource, SecurityGroup, Tag,
};
use warden_model::time::{format_timestamp, parse_timestamp};
use warden_model::{CloudTrailEvent, Finding, Signal};

/// Ids are AWS-assigned, but addresses come from logs: hash with a seeded fast hasher.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Instances plus interfaces kept by default: about 50,000 instances with one interface each.
/// Measured at about 3.5 KB of resident memory per instance with its interface (hash-table slack
/// included), so at most about 175 MB.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// Addresses of one interface that are indexed (AWS allows up to 50 private IPv4 per interface
/// on the largest instance types, plus IPv6 and public addresses).
pub const MAX_ADDRESSES_PER_INTERFACE: usize = 64;
/// Interfaces remembered per (account, address): the same private address in several VPCs or
/// Regions of one account, or reassigned over time.
pub const MAX_HOLDERS_PER_ADDRESS: usize = 8;
/// Interfaces remembered per instance.
pub const MAX_INTERFACES_PER_INSTANCE: usize = 32;
/// How far outside an address's assignment (launch to termination) a finding may fall and still
/// be matched by address: a flow log record aggregates up to 10 minutes of traffic.
pub const ADDRESS_SLACK_MS: i64 = 10 * 60 * 1000;

/// The `[inventory]` section of the configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InventoryConfig {
    /// `describe-instances` / `describe-network-interfaces` JSON files to load before scanning.
    pub files: Vec<PathBuf>,
    /// Instances plus interfaces kept (default [`DEFAULT_CAPACITY`]).
    pub capacity: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}: line {line}, column {column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{file}: not an inventory: expected the JSON of `aws ec2 describe-instances` (Reservations), `run-instances` (Instances) or `describe-network-interfaces` (NetworkInterfaces)"
    )]
    Shape { file: String },
}

/// What loading one inventory file found.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    pub file: String,
    /// `describe-instances`, `run-instances` or `describe-network-interfaces`.
    pub format: &'static str,
    pub instances: usize,
    pub interfaces: usize,
    /// Entries skipped, each with where it was and why (for example no `InstanceId`).
    pub skipped: Vec<String>,
}

/// What a finding's record says about its local end: the keys the inventory matches on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalEnd {
    pub account: String,
    pub region: String,
    pub instance_id: Option<String>,
    pub interface_id: Option<String>,
    pub address: Option<IpAddr>,
    pub vpc_id: Option<String>,
    pub time_ms: i64,
}

impl LocalEnd {
    /// The local end a finding's resource and action name.
    pub fn of(
        account: &str,
        region: &str,
        resource: &Resource,
        action: &Action,
        time: i64,
    ) -> Self {
        let details = resource.instance_details.as_ref();
        let first = details
            .and_then(|d| d.network_interfaces.as_ref())
            .and_then(|n| n.first());
        let connection = action.network_connection_action.as_ref();
        let local_ip = connection
            .and_then(|c| c.local_ip_details.as_ref())
            .or_else(|| {
                action
                    .port_probe_action
                    .as_ref()
                    .and_then(|p| p.port_probe_details.first())
                    .and_then(|d| d.local_ip_details.as_ref())
            });
        let address = first
            .and_then(|n| {
                n.private_ip_address.as_deref().or_else(|| {
                    n.ipv6_addresses
                        .as_ref()
                        .and_then(|a| a.first())
                        .map(String::as_str)
                })
            })
            .or_else(|| local_ip.and_then(|l| l.ip_address_v4.as_deref()))
            .or_else(|| local_ip.and_then(|l| l.ip_address_v6.as_deref()))
            .and_then(|a| a.parse().ok());
        LocalEnd {
            account: account.to_string(),
            region: region.to_string(),
            instance_id: details.and_then(|d| d.instance_id.clone()),
            interface_id: first
                .and_then(|n| n.network_interface_id.clone())
                .or_else(|| connection.and_then(|c| c.local_network_interface.clone())),
            address,
            vpc_id: first.and_then(|n| n.vpc_id.clone()),
            time_ms: time,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Entity {
    Instance(String),
    Interface(String),
}

/// (event time last touched, sequence): the eviction order.
type Touch = (i64, u64);

struct InstanceEntry {
    /// Everything but `network_interfaces`, which live in `interfaces`.
    details: InstanceDetails,
    /// Keys of its interfaces, primary first.
    interfaces: Vec<String>,
    launched_ms: Option<i64>,
    terminated_ms: Option<i64>,
    touch: Touch,
}

struct InterfaceEntry {
    /// [`account_key`]: only ever compared, so kept as a number.
    account: u64,
    /// [`region_key`]; 0 when unknown.
    region: u64,
    details: NetworkInterface,
    instance_id: Option<String>,
    /// Addresses indexed under (account, address).
    addresses: Vec<IpAddr>,
    /// When its addresses were assigned, when known.
    since_ms: Option<i64>,
    deleted_ms: Option<i64>,
    touch: Touch,
}

/// An account id as an index key without allocating: account ids are 12 decimal digits; anything
/// else is hashed into the other half of the key space.
fn account_key(account: &str) -> u64 {
    match account.parse::<u64>() {
        Ok(n) if n < 1 << 63 => n,
        _ => crate::detect::window::fingerprint(account) | 1 << 63,
    }
}

/// A Region as a number for comparisons (0 when unknown).
fn region_key(region: &str) -> u64 {
    if region.is_empty() {
        0
    } else {
        crate::detect::window::fingerprint(region) | 1
    }
}

/// EC2 instances and interfaces by instance id, interface id and (account, address).
pub struct Inventory {
    capacity: usize,
    instances: Map<String, InstanceEntry>,
    interfaces: Map<String, InterfaceEntry>,
    by_address: Map<(u64, IpAddr), Vec<String>>,
    lru: BTreeMap<Touch, Entity>,
    seq: u64,
    evicted: u64,
}

impl Default for Inventory {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

/// One instance as learned, with its interfaces in `details.network_interfaces`.
#[derive(Debug, Clone, Default)]
pub struct InstanceRecord {
    pub account: String,
    pub region: String,
    pub details: InstanceDetails,
    /// Launch time (epoch ms), when known: its addresses are its own from then.
    pub launched_ms: Option<i64>,
}

impl Inventory {
    pub fn new(capacity: usize) -> Self {
        Inventory {
            capacity: capacity.max(2),
            instances: Map::default(),
            interfaces: Map::default(),
            by_address: Map::default(),
            lru: BTreeMap::new(),
            seq: 0,
            evicted: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
    pub fn instances(&self) -> usize {
        self.instances.len()
    }
    pub fn interfaces(&self) -> usize {
        self.interfaces.len()
    }
    /// Distinct (account, address) keys indexed.
    pub fn addresses(&self) -> usize {
        self.by_address.len()
    }
    /// Entries dropped to stay within capacity.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty() && self.interfaces.is_empty()
    }

    // ---------------------------------------------------------------- learning

    /// Learn from one CloudTrail record, if it is one of the EC2 calls that tell which instance
    /// holds which interface and address. Anything else returns at the first comparison.
    pub fn learn(&mut self, event: &CloudTrailEvent<'_>, time: i64) {
        let name = event.event_name();
        if !matches!(
            name,
            "RunInstances"
                | "CreateNetworkInterface"
                | "AttachNetworkInterface"
                | "DeleteNetworkInterface"
                | "CreateTags"
                | "DeleteTags"
                | "StartInstances"
                | "StopInstances"
                | "TerminateInstances"
                | "AssociateAddress"
        ) || event.event_source() != "ec2.amazonaws.com"
            || !event.succeeded()
        {
            return;
        }
        let account = event.account_id().to_string();
        let region = event.region().to_string();
        let request: Option<Value> = event.request();
        let response: Option<Value> = event.response();
        let req = request.as_ref();
        let resp = response.as_ref();
        match name {
            "RunInstances" => {
                let request_tags = request_tags(req, "instance");
                for item in items(resp.and_then(|r| r.get("instancesSet"))) {
                    let Some(mut rec) = ct_instance(item, &account, &region) else {
                        continue;
                    };
                    if rec.details.tags.is_none() && !request_tags.is_empty() {
                        rec.details.tags = Some(request_tags.clone());
                    }
                    rec.launched_ms = rec.launched_ms.or(Some(time));
                    self.upsert_instance(rec, time);
                }
            }
            "CreateNetworkInterface" => {
                if let Some(ni) = resp.and_then(|r| r.get("networkInterface")) {
                    let attached = ni
                        .get("attachment")
                        .and_then(|a| text(a, "instanceId"))
                        .filter(|i| i.starts_with("i-"));
                    self.upsert_interface(
                        &account,
                        &region,
                        ct_interface(ni),
                        attached.as_deref(),
                        Some(time),
                        time,
                    );
                }
            }
            "AttachNetworkInterface" => {
                if let (Some(eni), Some(instance)) = (
                    req.and_then(|r| text(r, "networkInterfaceId")),
                    req.and_then(|r| text(r, "instanceId")),
                ) {
                    let primary = req
                        .and_then(|r| r.get("deviceIndex"))
                        .and_then(number)
                        .is_some_and(|i| i == 0);
                    self.attach(&account, &region, &eni, &instance, primary, time);
                }
            }
            "DeleteNetworkInterface" => {
                if let Some(eni) = req.and_then(|r| text(r, "networkInterfaceId"))
                    && let Some(e) = self.interfaces.get_mut(&eni)
                {
                    e.deleted_ms = Some(time);
                }
            }
            "CreateTags" | "DeleteTags" => {
                let tags: Vec<(String, Option<String>)> = items(req.and_then(|r| r.get("tagSet")))
                    .filter_map(|t| Some((text(t, "key")?, text(t, "value"))))
                    .collect();
                for id in items(req.and_then(|r| r.get("resourcesSet")))
                    .filter_map(|r| text(r, "resourceId"))
                    .filter(|id| id.starts_with("i-"))
                {
                    self.retag(&id, &tags, name == "CreateTags", time);
                }
            }
            "StartInstances" | "StopInstances" | "TerminateInstances" => {
                let mut changed: Vec<(String, String)> =
                    items(resp.and_then(|r| r.get("instancesSet")))
                        .filter_map(|i| {
                            let state = i.get("currentState").and_then(|s| text(s, "name"))?;
                            Some((text(i, "instanceId")?, state))
                        })
                        .collect();
                if changed.is_empty() {
                    let state = match name {
                        "StartInstances" => "pending",
                        "StopInstances" => "stopping",
                        _ => "shutting-down",
                    };
                    changed = items(req.and_then(|r| r.get("instancesSet")))
                        .filter_map(|i| Some((text(i, "instanceId")?, state.to_string())))
                        .collect();
                }
                for (id, state) in changed {
                    let terminated = name == "TerminateInstances";
                    self.set_state(&id, state, terminated, time);
                }
            }
            "AssociateAddress" => {
                let Some(r) = req else { return };
                if let Some(ip) = text(r, "publicIp").and_then(|p| p.parse().ok()) {
                    self.associate_public_ip(
                        &account,
                        &region,
                        text(r, "instanceId").as_deref(),
                        text(r, "networkInterfaceId").as_deref(),
                        ip,
                        time,
                    );
                }
            }
            _ => {}
        }
    }

    /// Learn (or update) an instance and its interfaces. What the record leaves unknown is kept
    /// from what was known before.
    pub fn upsert_instance(&mut self, rec: InstanceRecord, time: i64) {
        let Some(id) = rec.details.instance_id.clone() else {
            return;
        };
        let mut details = rec.details;
        let mut interfaces = details.network_interfaces.take().unwrap_or_default();
        interfaces.truncate(MAX_INTERFACES_PER_INSTANCE);
        // Make room for everything first, so nothing this record adds is evicted by itself.
        let new = usize::from(!self.instances.contains_key(&id))
            + interfaces
                .iter()
                .filter(|n| {
                    n.network_interface_id
                        .as_ref()
                        .is_none_or(|k| !self.interfaces.contains_key(k))
                })
                .count();
        self.make_room(new);
        self.ensure_instance(&id, time);
        let mut keys = Vec::new();
        for (i, ni) in interfaces.into_iter().enumerate() {
            // An interface without an id (old records) is still indexed by its addresses.
            let key = ni
                .network_interface_id
                .clone()
                .unwrap_or_else(|| format!("{id}#{i}"));
            self.upsert_interface_keyed(
                &key,
                &rec.account,
                &rec.region,
                ni,
                Some(&id),
                rec.launched_ms,
                time,
            );
            keys.push(key);
        }
        let Some(e) = self.instances.get_mut(&id) else {
            return;
        };
        details.fill_from(&e.details);
        e.details = details;
        e.launched_ms = rec.launched_ms.or(e.launched_ms);
        if !keys.is_empty() {
            // The record lists every interface: it is the new order, primary first.
            for k in std::mem::take(&mut e.interfaces) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            keys.truncate(MAX_INTERFACES_PER_INSTANCE);
            e.interfaces = keys;
        }
        self.touch_instance(&id, time);
    }

    /// Learn (or update) an interface, attached to `instance_id` when given.
    pub fn upsert_interface(
        &mut self,
        account: &str,
        region: &str,
        ni: NetworkInterface,
        instance_id: Option<&str>,
        since_ms: Option<i64>,
        time: i64,
    ) {
        let Some(key) = ni.network_interface_id.clone() else {
            return;
        };
        self.upsert_interface_keyed(&key, account, region, ni, instance_id, since_ms, time);
        if let Some(i) = instance_id {
            self.ensure_instance(i, time);
            self.link(i, &key, false);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn upsert_interface_keyed(
        &mut self,
        key: &str,
        account: &str,
        region: &str,
        mut ni: NetworkInterface,
        instance_id: Option<&str>,
        since_ms: Option<i64>,
        time: i64,
    ) {
        if !self.interfaces.contains_key(key) {
            self.make_room(1);
            let seq = self.next_seq();
            self.interfaces.insert(
                key.to_string(),
                InterfaceEntry {
                    account: account_key(account),
                    region: region_key(region),
                    details: NetworkInterface::default(),
                    instance_id: None,
                    addresses: Vec::new(),
                    since_ms,
                    deleted_ms: None,
                    touch: (time, seq),
                },
            );
            self.lru
                .insert((time, seq), Entity::Interface(key.to_string()));
        }
        let Some(e) = self.interfaces.get_mut(key) else {
            return;
        };
        ni.fill_from(&e.details);
        e.details = ni;
        let (account, region) = (account_key(account), region_key(region));
        if account != account_key("") && e.account != account {
            // Interfaces do not change accounts, but a stub learned without one gains it.
            let old = e.account;
            for ip in std::mem::take(&mut e.addresses) {
                self.unindex(old, ip, key);
            }
            let Some(e) = self.interfaces.get_mut(key) else {
                return;
            };
            e.account = account;
        }
        let Some(e) = self.interfaces.get_mut(key) else {
            return;
        };
        if region != 0 {
            e.region = region;
        }
        if since_ms.is_some() && e.since_ms.is_none() {
            e.since_ms = since_ms;
        }
        let previous_owner = match instance_id {
            Some(i) => e.instance_id.replace(i.to_string()).filter(|p| p != i),
            None => None,
        };
        if let Some(p) = previous_owner
            && let Some(o) = self.instances.get_mut(&p)
        {
            // Moved to another instance: no longer the old one's.
            o.interfaces.retain(|k| k != key);
        }
        self.reindex(key);
        self.touch_interface(key, time);
    }

    /// Index an interface's current addresses (and only those).
    fn reindex(&mut self, key: &str) {
        let Some(e) = self.interfaces.get_mut(key) else {
            return;
        };
        let account = e.account;
        let new = addresses_of(&e.details);
        if new == e.addresses {
            return;
        }
        let old = std::mem::replace(&mut e.addresses, new.clone());
        for ip in old.iter().filter(|ip| !new.contains(ip)) {
            self.unindex(account, *ip, key);
        }
        for ip in new {
            let holders = self.by_address.entry((account, ip)).or_default();
            holders.retain(|k| k != key);
            holders.push(key.to_string());
            if holders.len() > MAX_HOLDERS_PER_ADDRESS {
                // The oldest holder of a reused address is the least likely to still hold it.
                holders.remove(0);
            }
        }
    }

    fn unindex(&mut self, account: u64, ip: IpAddr, key: &str) {
        let k = (account, ip);
        if let Some(holders) = self.by_address.get_mut(&k) {
            holders.retain(|h| h != key);
            if holders.is_empty() {
                self.by_address.remove(&k);
            }
        }
    }

    fn ensure_instance(&mut self, id: &str, time: i64) {
        if self.instances.contains_key(id) {
            return;
        }
        self.make_room(1);
        let seq = self.next_seq();
        self.instances.insert(
            id.to_string(),
            InstanceEntry {
                details: InstanceDetails {
                    instance_id: Some(id.to_string()),
                    ..Default::default()
                },
                interfaces: Vec::new(),
                launched_ms: None,
                terminated_ms: None,
                touch: (time, seq),
            },
        );
        self.lru
            .insert((time, seq), Entity::Instance(id.to_string()));
    }

    /// Put an interface on an instance's list (first when it is the primary).
    fn link(&mut self, instance: &str, key: &str, primary: bool) {
        if let Some(e) = self.instances.get_mut(instance) {
            e.interfaces.retain(|k| k != key);
            if primary {
                e.interfaces.insert(0, key.to_string());
            } else {
                e.interfaces.push(key.to_string());
            }
            e.interfaces.truncate(MAX_INTERFACES_PER_INSTANCE);
        }
    }

    fn attach(
        &mut self,
        account: &str,
        region: &str,
        eni: &str,
        instance: &str,
        primary: bool,
        time: i64,
    ) {
        let ni = NetworkInterface {
            network_interface_id: Some(eni.to_string()),
            ..Default::default()
        };
        self.upsert_interface_keyed(eni, account, region, ni, Some(instance), Some(time), time);
        self.ensure_instance(instance, time);
        self.link(instance, eni, primary);
        self.touch_instance(instance, time);
    }

    fn retag(&mut self, id: &str, tags: &[(String, Option<String>)], create: bool, time: i64) {
        if create {
            self.ensure_instance(id, time);
        }
        let Some(e) = self.instances.get_mut(id) else {
            return;
        };
        let current = e.details.tags.get_or_insert_with(Vec::new);
        for (key, value) in tags {
            if create {
                let value = value.clone().unwrap_or_default();
                match current.iter_mut().find(|t| &t.key == key) {
                    Some(t) => t.value = value,
                    None => current.push(Tag {
                        key: key.clone(),
                        value,
                    }),
                }
            } else {
                // DeleteTags without a value deletes the key whatever its value.
                current.retain(|t| &t.key != key || value.as_ref().is_some_and(|v| v != &t.value));
            }
        }
        if current.is_empty() {
            e.details.tags = None;
        }
        self.touch_instance(id, time);
    }

    fn set_state(&mut self, id: &str, state: String, terminated: bool, time: i64) {
        self.ensure_instance(id, time);
        if let Some(e) = self.instances.get_mut(id) {
            e.details.instance_state = Some(state);
            if terminated {
                e.terminated_ms = Some(e.terminated_ms.map_or(time, |t| t.min(time)));
            }
        }
        self.touch_instance(id, time);
    }

    fn associate_public_ip(
        &mut self,
        account: &str,
        region: &str,
        instance: Option<&str>,
        eni: Option<&str>,
        ip: IpAddr,
        time: i64,
    ) {
        let key = match (eni, instance) {
            (Some(e), _) => e.to_string(),
            (None, Some(i)) => match self.instances.get(i).and_then(|e| e.interfaces.first()) {
                Some(k) => k.clone(),
                None => return,
            },
            (None, None) => return,
        };
        // An Elastic IP has one holder: it leaves whichever interface had it.
        let previous: Vec<String> = self
            .by_address
            .get(&(account_key(account), ip))
            .cloned()
            .unwrap_or_default();
        let ip_text = ip.to_string();
        for k in previous.iter().filter(|k| **k != key) {
            if let Some(e) = self.interfaces.get_mut(k)
                && e.details.public_ip.as_deref() == Some(ip_text.as_str())
            {
                e.details.public_ip = None;
                e.details.public_dns_name = None;
                self.reindex(k);
            }
        }
        // The interface's previous public address (and its name) is released.
        if let Some(e) = self.interfaces.get_mut(&key)
            && e.details.public_ip.as_deref() != Some(ip_text.as_str())
        {
            e.details.public_ip = None;
            e.details.public_dns_name = None;
        }
        let ni = NetworkInterface {
            network_interface_id: eni.map(str::to_string),
            public_ip: Some(ip_text),
            ..Default::default()
        };
        self.upsert_interface_keyed(&key, account, region, ni, instance, None, time);
        if let Some(i) = instance {
            self.ensure_instance(i, time);
            self.link(i, &key, false);
        }
    }

    // ---------------------------------------------------------------- files

    /// Load an inventory file (see the module documentation for the formats).
    pub fn load_file(&mut self, path: &Path) -> Result<FileReport, InventoryError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| InventoryError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
        self.load_json(&file, &bytes)
    }

    /// Load inventory JSON already read; `file` names it in errors.
    pub fn load_json(&mut self, file: &str, bytes: &[u8]) -> Result<FileReport, InventoryError> {
        let doc: FileDoc = serde_json::from_slice(bytes).map_err(|e| InventoryError::Parse {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        let mut report = FileReport {
            file: file.to_string(),
            ..Default::default()
        };
        let mut reservations = doc.reservations;
        if doc.instances.is_some() {
            report.format = "run-instances";
            reservations = Some(vec![Reservation {
                owner_id: doc.owner_id.clone(),
                instances: doc.instances.unwrap_or_default(),
            }]);
        }
        if let Some(reservations) = reservations {
            if report.format.is_empty() {
                report.format = "describe-instances";
            }
            for (r, res) in reservations.into_iter().enumerate() {
                for (i, inst) in res.instances.into_iter().enumerate() {
                    let at = if report.format == "run-instances" {
                        format!("Instances[{i}]")
                    } else {
                        format!("Reservations[{r}].Instances[{i}]")
                    };
                    match file_instance(inst, res.owner_id.as_deref()) {
                        Some(rec) => {
                            report.interfaces +=
                                rec.details.network_interfaces.as_ref().map_or(0, Vec::len);
                            report.instances += 1;
                            let t = rec.launched_ms.unwrap_or(i64::MIN);
                            self.upsert_instance(rec, t);
                        }
                        None => report.skipped.push(format!("{at}: no InstanceId")),
                    }
                }
            }
        } else if let Some(enis) = doc.network_interfaces {
            report.format = "describe-network-interfaces";
            for (i, eni) in enis.into_iter().enumerate() {
                if eni.network_interface_id.is_none() {
                    report
                        .skipped
                        .push(format!("NetworkInterfaces[{i}]: no NetworkInterfaceId"));
                    continue;
                }
                let account = eni.owner_id.clone().unwrap_or_default();
                let region = eni
                    .availability_zone
                    .as_deref()
                    .map(region_of_zone)
                    .unwrap_or_default();
                let attachment = eni.attachment.clone();
                let instance = attachment
                    .as_ref()
                    .and_then(|a| a.instance_id.clone())
                    .filter(|i| i.starts_with("i-"));
                let since = attachment
                    .as_ref()
                    .and_then(|a| a.attach_time.as_deref())
                    .and_then(parse_timestamp);
                let primary = attachment.and_then(|a| a.device_index) == Some(0);
                let ni = file_interface(eni);
                let Some(key) = ni.network_interface_id.clone() else {
                    continue;
                };
                let t = since.unwrap_or(i64::MIN);
                self.upsert_interface_keyed(
                    &key,
                    &account,
                    &region,
                    ni,
                    instance.as_deref(),
                    since,
                    t,
                );
                if let Some(inst) = &instance {
                    self.ensure_instance(inst, t);
                    self.link(inst, &key, primary);
                }
                report.interfaces += 1;
            }
        } else {
            return Err(InventoryError::Shape {
                file: file.to_string(),
            });
        }
        Ok(report)
    }

    // ---------------------------------------------------------------- lookup

    /// Fill a signal's `instanceDetails` from the inventory, when its resource is an instance the
    /// inventory knows (see the module documentation). Returns whether anything was added.
    pub fn describe_signal(&mut self, signal: &mut Signal) -> bool {
        if signal.resource.resource_type != "Instance" || self.is_empty() {
            return false;
        }
        let end = LocalEnd::of(
            &signal.account_id,
            &signal.region,
            &signal.resource,
            &signal.action,
            signal.event_time,
        );
        self.describe_resource(&end, &mut signal.resource)
    }

    /// The same for a finding already made, at its last-seen event time: details learned after
    /// the finding's signals (CloudTrail read after the flow logs) still reach it.
    pub fn describe_finding(&mut self, finding: &mut Finding, time: i64) -> bool {
        if finding.resource.resource_type != "Instance" || self.is_empty() {
            return false;
        }
        let end = LocalEnd::of(
            &finding.account_id,
            &finding.region,
            &finding.resource,
            &finding.service.action,
            time,
        );
        self.describe_resource(&end, &mut finding.resource)
    }

    fn describe_resource(&mut self, end: &LocalEnd, resource: &mut Resource) -> bool {
        let Some(mut found) = self.resolve(end) else {
            return false;
        };
        let before = resource.instance_details.clone();
        if let Some(known) = &before {
            found.fill_from(known);
        }
        let changed = before.as_ref() != Some(&found);
        resource.instance_details = Some(found);
        changed
    }

    /// The instance (or, failing that, the interface) a local end names, if known.
    pub fn resolve(&mut self, end: &LocalEnd) -> Option<InstanceDetails> {
        let t = end.time_ms;
        if let Some(id) = &end.instance_id
            && self.instances.contains_key(id)
        {
            return Some(self.instance_details(id, t));
        }
        if let Some(eni) = &end.interface_id
            && let Some(e) = self.interfaces.get(eni)
        {
            let owner = e.instance_id.clone();
            if let (Some(want), Some(have)) = (&end.instance_id, &owner)
                && want != have
            {
                // The record names another instance: this interface was reattached since.
                return None;
            }
            return Some(match owner {
                Some(i) if self.instances.contains_key(&i) => self.instance_details(&i, t),
                owner => self.interface_details(eni, owner.or(end.instance_id.clone()), t),
            });
        }
        let ip = end.address?;
        let key = self.holder_of(end, ip)?;
        let owner = self.interfaces.get(&key)?.instance_id.clone();
        match owner {
            Some(i) if self.instances.contains_key(&i) => Some(self.instance_details(&i, t)),
            owner => Some(self.interface_details(&key, owner, t)),
        }
    }

    /// The interface holding `ip` in the end's account at its time, when exactly one VPC's
    /// holder fits (see the module documentation).
    fn holder_of(&self, end: &LocalEnd, ip: IpAddr) -> Option<String> {
        let holders = self.by_address.get(&(account_key(&end.account), ip))?;
        let t = end.time_ms;
        let mut best: Option<(&String, &InterfaceEntry)> = None;
        let mut vpc: Option<Option<&str>> = None;
        for key in holders {
            let Some(e) = self.interfaces.get(key) else {
                continue;
            };
            // The record's own interface or instance id, when it gives one, must be this one's.
            if let Some(want) = &end.interface_id
                && e.details
                    .network_interface_id
                    .as_ref()
                    .is_some_and(|id| id != want)
            {
                continue;
            }
            let owner = e.instance_id.as_ref().and_then(|i| self.instances.get(i));
            if let (Some(want), Some(have)) = (&end.instance_id, &e.instance_id)
                && want != have
            {
                continue;
            }
            let region = region_key(&end.region);
            if region != 0 && e.region != 0 && region != e.region {
                continue;
            }
            let e_vpc = e.details.vpc_id.as_deref();
            if let (Some(want), Some(have)) = (end.vpc_id.as_deref(), e_vpc)
                && want != have
            {
                continue;
            }
            let since = e
                .since_ms
                .or(owner.and_then(|o| o.launched_ms))
                .unwrap_or(i64::MIN);
            let ended = [e.deleted_ms, owner.and_then(|o| o.terminated_ms)]
                .into_iter()
                .flatten()
                .min();
            if t < since.saturating_sub(ADDRESS_SLACK_MS)
                || ended.is_some_and(|end| t > end.saturating_add(ADDRESS_SLACK_MS))
            {
                continue;
            }
            match vpc {
                None => vpc = Some(e_vpc),
                Some(v) if v != e_vpc => return None,
                Some(_) => {}
            }
            let newer = best.is_none_or(|(_, b)| {
                (e.since_ms.unwrap_or(i64::MIN), e.touch)
                    > (b.since_ms.unwrap_or(i64::MIN), b.touch)
            });
            if newer {
                best = Some((key, e));
            }
        }
        best.map(|(k, _)| k.clone())
    }

    fn instance_details(&mut self, id: &str, time: i64) -> InstanceDetails {
        self.touch_instance(id, time);
        let Some(e) = self.instances.get(id) else {
            return InstanceDetails::default();
        };
        let mut d = e.details.clone();
        let nis: Vec<NetworkInterface> = e
            .interfaces
            .iter()
            .filter_map(|k| self.interfaces.get(k))
            .map(|n| n.details.clone())
            .collect();
        if !nis.is_empty() {
            d.network_interfaces = Some(nis);
        }
        d
    }

    fn interface_details(
        &mut self,
        key: &str,
        instance_id: Option<String>,
        time: i64,
    ) -> InstanceDetails {
        self.touch_interface(key, time);
        InstanceDetails {
            instance_id,
            network_interfaces: self.interfaces.get(key).map(|e| vec![e.details.clone()]),
            ..Default::default()
        }
    }

    // ---------------------------------------------------------------- bounds

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Touch an instance and its interfaces.
    fn touch_instance(&mut self, id: &str, time: i64) {
        let Inventory {
            instances,
            interfaces,
            lru,
            seq,
            ..
        } = self;
        let Some(e) = instances.get_mut(id) else {
            return;
        };
        touch_slot(lru, seq, &mut e.touch, time);
        for k in &e.interfaces {
            if let Some(i) = interfaces.get_mut(k) {
                touch_slot(lru, seq, &mut i.touch, time);
            }
        }
    }

    fn touch_interface(&mut self, key: &str, time: i64) {
        if let Some(e) = self.interfaces.get_mut(key) {
            touch_slot(&mut self.lru, &mut self.seq, &mut e.touch, time);
        }
    }

    /// Evict the least recently touched entries until `n` more fit.
    fn make_room(&mut self, n: usize) {
        let n = n.min(self.capacity);
        while self.instances.len() + self.interfaces.len() + n > self.capacity {
            let Some((_, entity)) = self.lru.pop_first() else {
                break;
            };
            self.evicted += 1;
            match entity {
                Entity::Instance(id) => {
                    self.instances.remove(&id);
                }
                Entity::Interface(key) => {
                    if let Some(e) = self.interfaces.remove(&key) {
                        let account = e.account;
                        for ip in &e.addresses {
                            self.unindex(account, *ip, &key);
                        }
                        if let Some(i) = e.instance_id.and_then(|i| self.instances.get_mut(&i)) {
                            i.interfaces.retain(|k| k != &key);
                        }
                    }
                }
            }
        }
    }
}

/// Move an entry to its new place in the eviction order. Event time decides: an older event read
/// late does not make an entry look unused, and a touch at the same event time changes nothing.
fn touch_slot(lru: &mut BTreeMap<Touch, Entity>, seq: &mut u64, slot: &mut Touch, time: i64) {
    if time <= slot.0 {
        return;
    }
    *seq += 1;
    let new = (time, *seq);
    if let Some(entity) = lru.remove(slot) {
        lru.insert(new, entity);
    }
    *slot = new;
}

// -------------------------------------------------------------------- annotating signals

/// Note on an instance signal from a flow record what the record says about the local end (its
/// interface, address, subnet and VPC), so a finding names them even when no instance is known
/// and the inventory can match them. Called only for the signals a record produced.
pub fn note_flow_local_end(signal: &mut Signal, r: &FlowRecord<'_>) {
    let end = LocalEnd::of("", "", &signal.resource, &signal.action, 0);
    note_interface(
        signal,
        r.interface_id.map(str::to_string),
        end.address,
        r.vpc_id.map(str::to_string),
        r.subnet_id.map(str::to_string),
    );
}

/// The same for a Route 53 Resolver query: the source address and VPC.
pub fn note_dns_source(signal: &mut Signal, q: &DnsQuery<'_>) {
    let address = q.srcaddr.as_deref().and_then(|a| a.parse().ok());
    note_interface(
        signal,
        None,
        address,
        q.vpc_id.as_deref().map(str::to_string),
        None,
    );
}

fn note_interface(
    signal: &mut Signal,
    interface_id: Option<String>,
    address: Option<IpAddr>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
) {
    if signal.resource.resource_type != "Instance" || (interface_id.is_none() && address.is_none())
    {
        return;
    }
    let details = signal
        .resource
        .instance_details
        .get_or_insert_with(Default::default);
    if details.network_interfaces.is_some() {
        return;
    }
    let (v4, v6) = match address {
        Some(ip @ IpAddr::V4(_)) => (Some(ip.to_string()), None),
        Some(ip @ IpAddr::V6(_)) => (None, Some(vec![ip.to_string()])),
        None => (None, None),
    };
    details.network_interfaces = Some(vec![NetworkInterface {
        network_interface_id: interface_id,
        private_ip_address: v4,
        ipv6_addresses: v6,
        vpc_id,
        subnet_id,
        ..Default::default()
    }]);
}

// -------------------------------------------------------------------- helpers

/// Every address of an interface that a log may show as its local end.
fn addresses_of(ni: &NetworkInterface) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    let private = ni.private_ip_address.iter().chain(
        ni.private_ip_addresses
            .iter()
            .flatten()
            .filter_map(|p| p.private_ip_address.as_ref()),
    );
    for a in private
        .chain(ni.ipv6_addresses.iter().flatten())
        .chain(ni.public_ip.iter())
    {
        if let Ok(ip) = a.parse::<IpAddr>()
            && !out.contains(&ip)
        {
            out.push(ip);
            if out.len() == MAX_ADDRESSES_PER_INTERFACE {
                break;
            }
        }
    }
    out
}

/// The Region of an Availability Zone (`us-east-1a` → `us-east-1`, `us-gov-west-1b` →
/// `us-gov-west-1`, Local Zone `us-west-2-lax-1a` → `us-west-2`).
pub fn region_of_zone(zone: &str) -> String {
    let mut parts = Vec::new();
    for p in zone.split('-') {
        if p.starts_with(|c: char| c.is_ascii_digit()) {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            parts.push(digits);
            return parts.join("-");
        }
        parts.push(p.to_string());
    }
    String::new()
}

/// serde_json's message without its " at line L column C" (reported separately).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A string member, when it is a non-empty string.
fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn number(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// The members of an EC2 "set": `{"items": [...]}`, `{"item": [...]}` (CloudTrail writes both)
/// or a bare array.
fn items(v: Option<&Value>) -> impl Iterator<Item = &Value> {
    let list = match v {
        Some(Value::Array(a)) => Some(a),
        Some(o @ Value::Object(_)) => o
            .get("items")
            .or_else(|| o.get("item"))
            .and_then(Value::as_array),
        _ => None,
    };
    list.into_iter().flatten()
}

fn ct_tags(v: Option<&Value>) -> Option<Vec<Tag>> {
    let tags: Vec<Tag> = items(v)
        .filter_map(|t| {
            Some(Tag {
                key: text(t, "key")?,
                value: text(t, "value").unwrap_or_default(),
            })
        })
        .collect();
    (!tags.is_empty()).then_some(tags)
}

/// Tags a request asks for on resources of one type (`tagSpecificationSet`).
fn request_tags(req: Option<&Value>, resource_type: &str) -> Vec<Tag> {
    items(req.and_then(|r| r.get("tagSpecificationSet")))
        .filter(|s| s.get("resourceType").and_then(Value::as_str) == Some(resource_type))
        .flat_map(|s| {
            let list = s.get("tags").or_else(|| s.get("tagSet"));
            ct_tags(list).unwrap_or_default()
        })
        .collect()
}

fn ct_groups(v: Option<&Value>) -> Option<Vec<SecurityGroup>> {
    let groups: Vec<SecurityGroup> = items(v)
        .map(|g| SecurityGroup {
            group_id: text(g, "groupId"),
            group_name: text(g, "groupName"),
        })
        .filter(|g| g.group_id.is_some() || g.group_name.is_some())
        .collect();
    (!groups.is_empty()).then_some(groups)
}

/// An interface as CloudTrail writes it (`networkInterfaceSet` item, `networkInterface`).
fn ct_interface(v: &Value) -> NetworkInterface {
    let association = v.get("association");
    let private: Vec<PrivateIpAddressDetails> = items(v.get("privateIpAddressesSet"))
        .filter_map(|p| {
            Some(PrivateIpAddressDetails {
                private_ip_address: Some(text(p, "privateIpAddress")?),
                private_dns_name: text(p, "privateDnsName"),
            })
        })
        .collect();
    let ipv6: Vec<String> = items(v.get("ipv6AddressesSet"))
        .filter_map(|a| text(a, "ipv6Address"))
        .collect();
    NetworkInterface {
        ipv6_addresses: (!ipv6.is_empty()).then_some(ipv6),
        network_interface_id: text(v, "networkInterfaceId"),
        private_dns_name: text(v, "privateDnsName"),
        private_ip_address: text(v, "privateIpAddress"),
        private_ip_addresses: (!private.is_empty()).then_some(private),
        public_dns_name: association.and_then(|a| text(a, "publicDnsName")),
        public_ip: association.and_then(|a| text(a, "publicIp")),
        security_groups: ct_groups(v.get("groupSet")),
        subnet_id: text(v, "subnetId"),
        vpc_id: text(v, "vpcId"),
    }
}

/// `launchTime` as CloudTrail writes it (epoch milliseconds) or as the API does (ISO-8601).
fn launch_time(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_timestamp(s).or_else(|| s.parse().ok()),
        _ => None,
    }
}

/// One `instancesSet` item of a `RunInstances` response.
fn ct_instance(item: &Value, account: &str, region: &str) -> Option<InstanceRecord> {
    let instance_id = text(item, "instanceId")?;
    let launched_ms = launch_time(item.get("launchTime"));
    let mut enis: Vec<(i64, NetworkInterface)> = items(item.get("networkInterfaceSet"))
        .map(|n| {
            let index = n
                .get("attachment")
                .and_then(|a| a.get("deviceIndex"))
                .and_then(number)
                .unwrap_or(i64::MAX);
            (index, ct_interface(n))
        })
        .collect();
    enis.sort_by_key(|(i, _)| *i);
    let mut interfaces: Vec<NetworkInterface> = enis.into_iter().map(|(_, n)| n).collect();
    // Without an interface set (older records), the instance's own address fields describe its
    // primary interface.
    let own = NetworkInterface {
        private_ip_address: text(item, "privateIpAddress"),
        private_dns_name: text(item, "privateDnsName"),
        public_ip: text(item, "ipAddress"),
        public_dns_name: text(item, "dnsName"),
        subnet_id: text(item, "subnetId"),
        vpc_id: text(item, "vpcId"),
        security_groups: ct_groups(item.get("groupSet")),
        ..Default::default()
    };
    match interfaces.first_mut() {
        Some(primary) => primary.fill_from(&NetworkInterface {
            public_ip: own.public_ip.clone(),
            public_dns_name: own.public_dns_name.clone(),
            ..Default::default()
        }),
        None if own.private_ip_address.is_some() => interfaces.push(own),
        None => {}
    }
    let product_codes: Vec<ProductCode> = items(item.get("productCodes"))
        .map(|p| ProductCode {
            code: text(p, "productCode").or_else(|| text(p, "productCodeId")),
            product_type: text(p, "type").or_else(|| text(p, "productCodeType")),
        })
        .filter(|p| p.code.is_some())
        .collect();
    let profile = item.get("iamInstanceProfile").map(|p| IamInstanceProfile {
        arn: text(p, "arn"),
        id: text(p, "id"),
    });
    let placement = item.get("placement");
    let zone = placement.and_then(|p| text(p, "availabilityZone"));
    Some(InstanceRecord {
        account: account.to_string(),
        region: if region.is_empty() {
            zone.as_deref().map(region_of_zone).unwrap_or_default()
        } else {
            region.to_string()
        },
        details: InstanceDetails {
            availability_zone: zone,
            iam_instance_profile: profile.filter(|p| p.arn.is_some() || p.id.is_some()),
            image_description: None,
            image_id: text(item, "imageId"),
            instance_id: Some(instance_id),
            instance_state: item.get("instanceState").and_then(|s| text(s, "name")),
            instance_type: text(item, "instanceType"),
            outpost_arn: text(item, "outpostArn")
                .or_else(|| placement.and_then(|p| text(p, "outpostArn"))),
            launch_time: launched_ms.map(format_timestamp),
            network_interfaces: (!interfaces.is_empty()).then_some(interfaces),
            platform: text(item, "platform"),
            product_codes: (!product_codes.is_empty()).then_some(product_codes),
            tags: ct_tags(item.get("tagSet")),
        },
        launched_ms,
    })
}

// -------------------------------------------------------------------- inventory files

/// `null` where a list is expected is an empty list.
fn null_vec<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileDoc {
    reservations: Option<Vec<Reservation>>,
    instances: Option<Vec<FileInstance>>,
    owner_id: Option<String>,
    network_interfaces: Option<Vec<FileInterface>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Reservation {
    owner_id: Option<String>,
    #[serde(default, deserialize_with = "null_vec")]
    instances: Vec<FileInstance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileInstance {
    instance_id: Option<String>,
    instance_type: Option<String>,
    image_id: Option<String>,
    launch_time: Option<String>,
    placement: Option<FilePlacement>,
    platform: Option<String>,
    iam_instance_profile: Option<FileProfile>,
    #[serde(default, deserialize_with = "null_vec")]
    tags: Vec<FileTag>,
    state: Option<FileState>,
    private_ip_address: Option<String>,
    private_dns_name: Option<String>,
    public_ip_address: Option<String>,
    public_dns_name: Option<String>,
    subnet_id: Option<String>,
    vpc_id: Option<String>,
    #[serde(default, deserialize_with = "null_vec")]
    security_groups: Vec<FileGroup>,
    #[serde(default, deserialize_with = "null_vec")]
    product_codes: Vec<FileProductCode>,
    outpost_arn: Option<String>,
    #[serde(default, deserialize_with = "null_vec")]
    network_interfaces: Vec<FileInterface>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FilePlacement {
    availability_zone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileProfile {
    arn: Option<String>,
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileTag {
    key: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileState {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileGroup {
    group_id: Option<String>,
    group_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileProductCode {
    product_code_id: Option<String>,
    product_code_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileInterface {
    network_interface_id: Option<String>,
    subnet_id: Option<String>,
    vpc_id: Option<String>,
    availability_zone: Option<String>,
    owner_id: Option<String>,
    private_ip_address: Option<String>,
    private_dns_name: Option<String>,
    #[serde(default, deserialize_with = "null_vec")]
    groups: Vec<FileGroup>,
    #[serde(default, deserialize_with = "null_vec")]
    private_ip_addresses: Vec<FilePrivateIp>,
    association: Option<FileAssociation>,
    #[serde(default, deserialize_with = "null_vec")]
    ipv6_addresses: Vec<FileIpv6>,
    attachment: Option<FileAttachment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FilePrivateIp {
    private_ip_address: Option<String>,
    private_dns_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileAssociation {
    public_ip: Option<String>,
    public_dns_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FileIpv6 {
    ipv6_address: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct FileAttachment {
    instance_id: Option<String>,
    device_index: Option<i64>,
    attach_time: Option<String>,
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

fn file_groups(groups: Vec<FileGroup>) -> Option<Vec<SecurityGroup>> {
    let groups: Vec<SecurityGroup> = groups
        .into_iter()
        .map(|g| SecurityGroup {
            group_id: nonempty(g.group_id),
            group_name: nonempty(g.group_name),
        })
        .collect();
    (!groups.is_empty()).then_some(groups)
}

fn file_interface(f: FileInterface) -> NetworkInterface {
    let private: Vec<PrivateIpAddressDetails> = f
        .private_ip_addresses
        .into_iter()
        .filter(|p| p.private_ip_address.is_some())
        .map(|p| PrivateIpAddressDetails {
            private_ip_address: nonempty(p.private_ip_address),
            private_dns_name: nonempty(p.private_dns_name),
        })
        .collect();
    let ipv6: Vec<String> = f
        .ipv6_addresses
        .into_iter()
        .filter_map(|a| nonempty(a.ipv6_address))
        .collect();
    let (public_ip, public_dns_name) = match f.association {
        Some(a) => (nonempty(a.public_ip), nonempty(a.public_dns_name)),
        None => (None, None),
    };
    NetworkInterface {
        ipv6_addresses: (!ipv6.is_empty()).then_some(ipv6),
        network_interface_id: nonempty(f.network_interface_id),
        private_dns_name: nonempty(f.private_dns_name),
        private_ip_address: nonempty(f.private_ip_address),
        private_ip_addresses: (!private.is_empty()).then_some(private),
        public_dns_name,
        public_ip,
        security_groups: file_groups(f.groups),
        subnet_id: nonempty(f.subnet_id),
        vpc_id: nonempty(f.vpc_id),
    }
}

fn file_instance(f: FileInstance, owner: Option<&str>) -> Option<InstanceRecord> {
    let instance_id = nonempty(f.instance_id)?;
    let launched_ms = f.launch_time.as_deref().and_then(parse_timestamp);
    let zone = f.placement.and_then(|p| nonempty(p.availability_zone));
    let mut enis: Vec<(i64, NetworkInterface)> = f
        .network_interfaces
        .into_iter()
        .map(|n| {
            let index = n
                .attachment
                .as_ref()
                .and_then(|a| a.device_index)
                .unwrap_or(i64::MAX);
            (index, file_interface(n))
        })
        .collect();
    enis.sort_by_key(|(i, _)| *i);
    let mut interfaces: Vec<NetworkInterface> = enis.into_iter().map(|(_, n)| n).collect();
    let own = NetworkInterface {
        private_ip_address: nonempty(f.private_ip_address),
        private_dns_name: nonempty(f.private_dns_name),
        public_ip: nonempty(f.public_ip_address),
        public_dns_name: nonempty(f.public_dns_name),
        subnet_id: nonempty(f.subnet_id),
        vpc_id: nonempty(f.vpc_id),
        security_groups: file_groups(f.security_groups),
        ..Default::default()
    };
    match interfaces.first_mut() {
        Some(primary) => primary.fill_from(&NetworkInterface {
            public_ip: own.public_ip.clone(),
            public_dns_name: own.public_dns_name.clone(),
            ..Default::default()
        }),
        None if own.private_ip_address.is_some() => interfaces.push(own),
        None => {}
    }
    let tags: Vec<Tag> = f
        .tags
        .into_iter()
        .filter_map(|t| {
            Some(Tag {
                key: nonempty(t.key)?,
                value: t.value.unwrap_or_default(),
            })
        })
        .collect();
    let product_codes: Vec<ProductCode> = f
        .product_codes
        .into_iter()
        .map(|p| ProductCode {
            code: nonempty(p.product_code_id),
            product_type: nonempty(p.product_code_type),
        })
        .filter(|p| p.code.is_some())
        .collect();
    let profile = f.iam_instance_profile.map(|p| IamInstanceProfile {
        arn: nonempty(p.arn),
        id: nonempty(p.id),
    });
    Some(InstanceRecord {
        account: owner.unwrap_or("").to_string(),
        region: zone.as_deref().map(region_of_zone).unwrap_or_default(),
        details: InstanceDetails {
            availability_zone: zone,
            iam_instance_profile: profile.filter(|p| p.arn.is_some() || p.id.is_some()),
            image_description: None,
            image_id: nonempty(f.image_id),
            instance_id: Some(instance_id),
            instance_state: f.state.and_then(|s| nonempty(s.name)),
            instance_type: nonempty(f.instance_type),
            outpost_arn: nonempty(f.outpost_arn),
            launch_time: launched_ms.map(format_timestamp),
            network_interfaces: (!interfaces.is_empty()).then_some(interfaces),
            platform: nonempty(f.platform),
            product_codes: (!product_codes.is_empty()).then_some(product_codes),
            tags: (!tags.is_empty()).then_some(tags),
        },
        launched_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(n: u64, time: i64) -> InstanceRecord {
        let ip = IpAddr::from([10, (n >> 16) as u8, (n >> 8) as u8, n as u8]);
        InstanceRecord {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            details: InstanceDetails {
                instance_id: Some(format!("i-{n:017x}")),
                instance_type: Some("t3.micro".into()),
                network_interfaces: Some(vec![NetworkInterface {
                    network_interface_id: Some(format!("eni-{n:017x}")),
                    private_ip_address: Some(ip.to_string()),
                    vpc_id: Some("vpc-0a1b2c3d".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            },
            launched_ms: Some(time),
        }
    }

    fn by_address(ip: IpAddr, time: i64) -> LocalEnd {
        LocalEnd {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            address: Some(ip),
            time_ms: time,
            ..Default::default()
        }
    }

    /// A million instances through an inventory of 20,000 entries: the state never exceeds its
    /// bound (instances, interfaces, address index, eviction order), and an instance whose
    /// address keeps turning up in findings is never evicted among them.
    #[test]
    fn a_million_instances_stay_bounded_and_the_busy_one_is_kept() {
        let cap = 20_000;
        let mut inv = Inventory::new(cap);
        let busy = instance(0, 0);
        let busy_ip: IpAddr = "10.0.0.0".parse().unwrap();
        inv.upsert_instance(busy, 0);
        for n in 1..1_000_000u64 {
            let t = n as i64 * 10; // a launch every 10 ms of event time
            inv.upsert_instance(instance(n, t), t);
            if n % 1_000 == 0 {
                let found = inv.resolve(&by_address(busy_ip, t)).expect("busy instance");
                assert_eq!(found.instance_id.as_deref(), Some("i-00000000000000000"));
            }
            if n % 4_096 == 0 {
                assert!(inv.instances() + inv.interfaces() <= cap);
                assert!(inv.addresses() <= inv.interfaces() * MAX_ADDRESSES_PER_INTERFACE);
                assert_eq!(inv.lru.len(), inv.instances() + inv.interfaces());
            }
        }
        assert!(inv.instances() + inv.interfaces() <= cap);
        assert!(inv.evicted() >= 2 * 1_000_000 - cap as u64);
        // Early, never-seen instances are gone; recent ones are still there.
        assert!(
            inv.resolve(&by_address("10.0.0.7".parse().unwrap(), 10_000_000))
                .is_none()
        );
        let recent = instance(999_999, 0).details.network_interfaces.unwrap()[0]
            .private_ip_address
            .clone()
            .unwrap();
        assert!(
            inv.resolve(&by_address(recent.parse().unwrap(), 10_000_000))
                .is_some()
        );
    }

    #[test]
    fn zones_name_their_region() {
        assert_eq!(region_of_zone("us-east-1a"), "us-east-1");
        assert_eq!(region_of_zone("us-gov-west-1b"), "us-gov-west-1");
        assert_eq!(region_of_zone("us-west-2-lax-1a"), "us-west-2");
        assert_eq!(region_of_zone("nonsense"), "");
    }

    #[test]
    fn ec2_sets_read_items_and_item() {
        let v: Value =
            serde_json::json!({"a": {"items": [1]}, "b": {"item": [2, 3]}, "c": {}, "d": "x"});
        assert_eq!(items(v.get("a")).count(), 1);
        assert_eq!(items(v.get("b")).count(), 2);
        assert_eq!(items(v.get("c")).count(), 0);
        assert_eq!(items(v.get("d")).count(), 0);
        assert_eq!(items(v.get("missing")).count(), 0);
    }
}
