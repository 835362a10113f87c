//! Which instance is it: CloudTrail and inventory files teach the scan which instance holds which
//! interface and address, and network findings carry GuardDuty's full `instanceDetails`. Each
//! positive case has a near miss built from the same records.

#![recursion_limit = "256"]

use serde_json::{Value, json};
use std::sync::Arc;
use warden_engine::inventory::{Inventory, InventoryError, LocalEnd};
use warden_engine::{Pipeline, ScanConfig};
use warden_intel::load::{IntelConfig, load};
use warden_model::finding::InstanceDetails;
use warden_model::time::format_timestamp;
use warden_model::{CloudTrailEvent, Finding};
use warden_store::{FindingStore, MemoryStore, Query};

const ACCOUNT: &str = "111122223333";
const OTHER_ACCOUNT: &str = "444455556666";
const INSTANCE: &str = "i-0a1b2c3d4e5f60718";
const ENI: &str = "eni-0f0e0d0c0b0a09080";
const IP: &str = "10.0.1.23";
const VPC: &str = "vpc-0a1b2c3d4e5f60718";
const SUBNET: &str = "subnet-0123456789abcdef0";
/// Epoch seconds of the brute force: the instance was launched an hour before.
const ATTACK: i64 = 1_780_000_100;
const LAUNCH: i64 = ATTACK - 3_600;

fn iso(secs: i64) -> String {
    format_timestamp(secs * 1000)
}

/// A CloudTrail record of an EC2 call made by a deployment role.
fn ec2_call(name: &str, secs: i64, id: &str, request: Value, response: Value) -> Value {
    json!({"eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLEDEPLOY:ci", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci"),
            "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLEDEPLOY001",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEDEPLOY", "arn": format!("arn:aws:iam::{ACCOUNT}:role/deploy"), "accountId": ACCOUNT, "userName": "deploy"},
                "attributes": {"creationDate": iso(secs - 60), "mfaAuthenticated": "false"}}},
        "eventTime": iso(secs), "eventSource": "ec2.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10", "userAgent": "aws-cli/2.17.32 md/command#ec2", "requestParameters": request,
        "responseElements": response, "requestID": format!("req-{id}"), "eventID": format!("evt-{id}"), "readOnly": false,
        "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "ec2.us-east-1.amazonaws.com"}})
}

/// `RunInstances` as CloudTrail records it: one instance with its primary interface (sets are
/// `{"items": [...]}`, except `privateIpAddressesSet`, which CloudTrail writes as `item`;
/// `launchTime` is epoch milliseconds).
fn run_instances(instance: &str, eni: &str, ip: &str, secs: i64, id: &str) -> Value {
    let dns = format!("ip-{}.ec2.internal", ip.replace('.', "-"));
    let groups = json!({"items": [{"groupId": "sg-0123456789abcdef0", "groupName": "web"}]});
    let tags = json!([{"key": "Name", "value": "web-1"}, {"key": "Team", "value": "payments"}]);
    ec2_call(
        "RunInstances",
        secs,
        id,
        json!({"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1}]},
            "instanceType": "t3.medium", "blockDeviceMapping": {}, "monitoring": {"enabled": false}, "disableApiTermination": false,
            "iamInstanceProfile": {"name": "web"},
            "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": tags}]}}),
        json!({"requestId": format!("req-{id}"), "reservationId": "r-0123456789abcdef0", "ownerId": ACCOUNT, "groupSet": {},
            "instancesSet": {"items": [{
                "instanceId": instance, "imageId": "ami-0abcdef1234567890", "instanceState": {"code": 0, "name": "pending"},
                "privateDnsName": dns, "amiLaunchIndex": 0, "productCodes": {}, "instanceType": "t3.medium",
                "launchTime": secs * 1000, "placement": {"availabilityZone": "us-east-1a", "tenancy": "default"},
                "monitoring": {"state": "disabled"}, "subnetId": SUBNET, "vpcId": VPC, "privateIpAddress": ip,
                "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64", "rootDeviceType": "ebs",
                "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {}, "virtualizationType": "hvm", "hypervisor": "xen",
                "tagSet": {"items": tags},
                "iamInstanceProfile": {"arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/web"), "id": "AIPAEXAMPLEWEBPROFILE"},
                "groupSet": groups, "sourceDestCheck": true,
                "networkInterfaceSet": {"items": [{
                    "networkInterfaceId": eni, "subnetId": SUBNET, "vpcId": VPC, "ownerId": ACCOUNT, "status": "in-use",
                    "macAddress": "0a:1b:2c:3d:4e:5f", "privateIpAddress": ip, "privateDnsName": dns, "sourceDestCheck": true,
                    "interfaceType": "interface", "groupSet": groups,
                    "attachment": {"attachmentId": "eni-attach-0123456789abcdef0", "deviceIndex": 0, "networkCardIndex": 0,
                        "status": "attaching", "attachTime": secs * 1000, "deleteOnTermination": true},
                    "privateIpAddressesSet": {"item": [{"privateIpAddress": ip, "privateDnsName": dns, "primary": true}]},
                    "ipv6AddressesSet": {}, "tagSet": {}}]},
                "ebsOptimized": false, "enaSupport": true, "metadataOptions": {"state": "pending", "httpTokens": "required"}}]}}),
    )
}

fn terminate_instances(instance: &str, secs: i64, id: &str) -> Value {
    ec2_call(
        "TerminateInstances",
        secs,
        id,
        json!({"instancesSet": {"items": [{"instanceId": instance}]}}),
        json!({"requestId": format!("req-{id}"), "instancesSet": {"items": [{"instanceId": instance,
            "currentState": {"code": 32, "name": "shutting-down"}, "previousState": {"code": 16, "name": "running"}}]}}),
    )
}

fn cloudtrail(records: &[Value]) -> String {
    json!({ "Records": records }).to_string()
}

/// A default-format (v2) flow record.
fn v2(
    account: &str,
    eni: &str,
    src: &str,
    dst: &str,
    sport: u16,
    dport: u16,
    start: i64,
) -> String {
    format!(
        "2 {account} {eni} {src} {dst} {sport} {dport} 6 3 180 {start} {} REJECT OK",
        start + 60
    )
}

/// What an SSH brute force against an instance looks like in its flow log: 25 attempts from one
/// public address, each from a new source port, within a minute.
fn ssh_brute_force(account: &str, eni: &str, ip: &str, start: i64) -> String {
    (0..25)
        .map(|i| {
            v2(
                account,
                eni,
                "45.83.71.9",
                ip,
                41_000 + i as u16,
                22,
                start + i,
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A Route 53 Resolver query log line (the GuardDuty tester's C&C domain).
fn resolver_query(
    account: &str,
    src: &str,
    instance: Option<&str>,
    name: &str,
    secs: i64,
) -> String {
    let mut q = json!({"version": "1.100000", "account_id": account, "region": "us-east-1", "vpc_id": VPC,
        "query_timestamp": iso(secs), "query_name": format!("{name}."), "query_type": "A", "query_class": "IN",
        "rcode": "NOERROR", "answers": [{"Rdata": "203.0.113.9", "Type": "A", "Class": "IN"}],
        "srcaddr": src, "srcport": "53344", "transport": "UDP"});
    if let Some(i) = instance {
        q["srcids"] = json!({ "instance": i });
    }
    q.to_string()
}

/// Scan named inputs in order, with an optional inventory loaded beforehand.
fn scan(inputs: &[(&str, String)], inventory: Option<Inventory>) -> Vec<Finding> {
    let intel = Arc::new(load(&IntelConfig::default(), None).unwrap().0);
    let mut store = MemoryStore::new();
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel);
    if let Some(inv) = inventory {
        p.set_inventory(inv);
    }
    for (name, text) in inputs {
        p.scan_reader(name, &mut text.as_bytes()).unwrap();
    }
    let (stats, _) = p.finish().unwrap();
    assert_eq!(stats.rejected, 0, "{:?}", stats.errors);
    store.list(&Query::default()).unwrap()
}

fn find<'f>(findings: &'f [Finding], ty: &str) -> &'f Finding {
    findings
        .iter()
        .find(|f| f.finding_type == ty)
        .unwrap_or_else(|| {
            panic!(
                "no {ty} among {:?}",
                findings.iter().map(|f| &f.finding_type).collect::<Vec<_>>()
            )
        })
}

fn details(f: &Finding) -> &InstanceDetails {
    f.resource
        .instance_details
        .as_ref()
        .expect("instanceDetails")
}

fn tags(d: &InstanceDetails) -> Vec<(String, String)> {
    let mut t: Vec<(String, String)> = d
        .tags
        .iter()
        .flatten()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect();
    t.sort();
    t
}

const SSH: &str = "UnauthorizedAccess:EC2/SSHBruteForce";
const C2: &str = "Backdoor:EC2/C&CActivity.B!DNS";
const BLACKHOLE: &str = "Trojan:EC2/BlackholeTraffic!DNS";

/// Everything the launch record says about the instance is in the finding.
fn assert_fully_described(d: &InstanceDetails) {
    assert_eq!(d.instance_id.as_deref(), Some(INSTANCE));
    assert_eq!(d.instance_type.as_deref(), Some("t3.medium"));
    assert_eq!(d.image_id.as_deref(), Some("ami-0abcdef1234567890"));
    assert_eq!(d.availability_zone.as_deref(), Some("us-east-1a"));
    assert_eq!(d.launch_time.as_deref(), Some(iso(LAUNCH).as_str()));
    assert_eq!(
        d.iam_instance_profile
            .as_ref()
            .and_then(|p| p.arn.as_deref()),
        Some("arn:aws:iam::111122223333:instance-profile/web")
    );
    assert_eq!(
        tags(d),
        [
            ("Name".to_string(), "web-1".to_string()),
            ("Team".to_string(), "payments".to_string())
        ]
    );
    let nis = d.network_interfaces.as_ref().expect("networkInterfaces");
    assert_eq!(nis.len(), 1, "{nis:?}");
    let ni = &nis[0];
    assert_eq!(ni.network_interface_id.as_deref(), Some(ENI));
    assert_eq!(ni.private_ip_address.as_deref(), Some(IP));
    assert_eq!(
        ni.private_dns_name.as_deref(),
        Some("ip-10-0-1-23.ec2.internal")
    );
    assert_eq!(ni.subnet_id.as_deref(), Some(SUBNET));
    assert_eq!(ni.vpc_id.as_deref(), Some(VPC));
    let sg = &ni.security_groups.as_ref().expect("securityGroups")[0];
    assert_eq!(sg.group_id.as_deref(), Some("sg-0123456789abcdef0"));
    assert_eq!(sg.group_name.as_deref(), Some("web"));
    assert_eq!(
        ni.private_ip_addresses.as_ref().unwrap()[0]
            .private_ip_address
            .as_deref(),
        Some(IP)
    );
}

fn local_ip(f: &Finding) -> Option<&str> {
    f.service
        .action
        .network_connection_action
        .as_ref()?
        .local_ip_details
        .as_ref()?
        .ip_address_v4
        .as_deref()
}

#[test]
fn run_instances_then_ssh_brute_force_names_the_instance() {
    let f = scan(
        &[
            (
                "trail.json",
                cloudtrail(&[run_instances(INSTANCE, ENI, IP, LAUNCH, "1")]),
            ),
            ("flow.log", ssh_brute_force(ACCOUNT, ENI, IP, ATTACK)),
        ],
        None,
    );
    let ssh = find(&f, SSH);
    assert_eq!(ssh.resource.resource_type, "Instance");
    assert_fully_described(details(ssh));
    assert_eq!(
        local_ip(ssh),
        Some(IP),
        "the address stays in localIpDetails"
    );
}

/// Logs are read in whatever order they are given: a launch read after the flow logs still
/// describes the finding they made.
#[test]
fn cloudtrail_read_after_the_flow_logs_still_describes_the_finding() {
    let f = scan(
        &[
            ("flow.log", ssh_brute_force(ACCOUNT, ENI, IP, ATTACK)),
            (
                "trail.json",
                cloudtrail(&[run_instances(INSTANCE, ENI, IP, LAUNCH, "1")]),
            ),
        ],
        None,
    );
    assert_fully_described(details(find(&f, SSH)));
}

/// Near miss: an interface the inventory does not know keeps just what the record says, even
/// though a known interface holds the same address (another VPC, or a reassigned address).
#[test]
fn unknown_interface_keeps_just_the_address() {
    let other_eni = "eni-0999999999999999a";
    let f = scan(
        &[
            (
                "trail.json",
                cloudtrail(&[run_instances(INSTANCE, ENI, IP, LAUNCH, "1")]),
            ),
            ("flow.log", ssh_brute_force(ACCOUNT, other_eni, IP, ATTACK)),
        ],
        None,
    );
    let ssh = find(&f, SSH);
    let d = details(ssh);
    assert_eq!(d.instance_id, None, "{d:?}");
    assert_eq!(d.instance_type, None);
    let ni = &d.network_interfaces.as_ref().unwrap()[0];
    assert_eq!(ni.network_interface_id.as_deref(), Some(other_eni));
    assert_eq!(ni.private_ip_address.as_deref(), Some(IP));
    assert_eq!(local_ip(ssh), Some(IP));
    assert!(
        ssh.title.contains(&format!("{other_eni} ({IP})")),
        "{}",
        ssh.title
    );
}

/// A user's `aws ec2 describe-instances` output (PascalCase, ISO launch time, as the CLI prints).
fn describe_instances() -> String {
    let dns = "ip-10-0-1-23.ec2.internal";
    json!({"Reservations": [{"Groups": [], "OwnerId": ACCOUNT, "ReservationId": "r-0123456789abcdef0", "Instances": [{
        "AmiLaunchIndex": 0, "ImageId": "ami-0abcdef1234567890", "InstanceId": INSTANCE, "InstanceType": "t3.medium",
        "KeyName": "ops", "LaunchTime": iso(LAUNCH), "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": "us-east-1a", "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns, "PrivateIpAddress": IP, "ProductCodes": [], "PublicDnsName": "ec2-54-210-10-20.compute-1.amazonaws.com",
        "PublicIpAddress": "54.210.10.20", "State": {"Code": 16, "Name": "running"}, "StateTransitionReason": "",
        "SubnetId": SUBNET, "VpcId": VPC, "Architecture": "x86_64", "BlockDeviceMappings": [], "ClientToken": "", "EbsOptimized": false,
        "EnaSupport": true, "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/web"), "Id": "AIPAEXAMPLEWEBPROFILE"},
        "NetworkInterfaces": [{
            "Association": {"IpOwnerId": "amazon", "PublicDnsName": "ec2-54-210-10-20.compute-1.amazonaws.com", "PublicIp": "54.210.10.20"},
            "Attachment": {"AttachTime": iso(LAUNCH), "AttachmentId": "eni-attach-0123456789abcdef0", "DeleteOnTermination": true,
                "DeviceIndex": 0, "Status": "attached", "NetworkCardIndex": 0},
            "Description": "", "Groups": [{"GroupName": "web", "GroupId": "sg-0123456789abcdef0"}], "Ipv6Addresses": [],
            "MacAddress": "0a:1b:2c:3d:4e:5f", "NetworkInterfaceId": ENI, "OwnerId": ACCOUNT, "PrivateDnsName": dns,
            "PrivateIpAddress": IP,
            "PrivateIpAddresses": [{"Association": {"IpOwnerId": "amazon", "PublicDnsName": "ec2-54-210-10-20.compute-1.amazonaws.com", "PublicIp": "54.210.10.20"},
                "Primary": true, "PrivateDnsName": dns, "PrivateIpAddress": IP}],
            "SourceDestCheck": true, "Status": "in-use", "SubnetId": SUBNET, "VpcId": VPC, "InterfaceType": "interface"}],
        "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs", "SecurityGroups": [{"GroupName": "web", "GroupId": "sg-0123456789abcdef0"}],
        "SourceDestCheck": true, "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "Team", "Value": "payments"}],
        "VirtualizationType": "hvm", "PlatformDetails": "Linux/UNIX", "UsageOperation": "RunInstances"}]}]})
    .to_string()
}

#[test]
fn describe_instances_file_describes_flow_findings() {
    let mut inv = Inventory::default();
    let report = inv
        .load_json("instances.json", describe_instances().as_bytes())
        .unwrap();
    assert_eq!(
        (report.format, report.instances, report.interfaces),
        ("describe-instances", 1, 1)
    );
    let f = scan(
        &[("flow.log", ssh_brute_force(ACCOUNT, ENI, IP, ATTACK))],
        Some(inv),
    );
    let d = details(find(&f, SSH));
    assert_fully_described(d);
    assert_eq!(d.instance_state.as_deref(), Some("running"));
    let ni = &d.network_interfaces.as_ref().unwrap()[0];
    assert_eq!(ni.public_ip.as_deref(), Some("54.210.10.20"));
    assert_eq!(
        ni.public_dns_name.as_deref(),
        Some("ec2-54-210-10-20.compute-1.amazonaws.com")
    );
}

#[test]
fn describe_network_interfaces_file_names_the_attached_instance() {
    let doc = json!({"NetworkInterfaces": [{
        "Association": {"IpOwnerId": "amazon", "PublicDnsName": "ec2-54-210-10-20.compute-1.amazonaws.com", "PublicIp": "54.210.10.20"},
        "Attachment": {"AttachTime": iso(LAUNCH), "AttachmentId": "eni-attach-0123456789abcdef0", "DeleteOnTermination": true,
            "DeviceIndex": 0, "NetworkCardIndex": 0, "InstanceId": INSTANCE, "InstanceOwnerId": ACCOUNT, "Status": "attached"},
        "AvailabilityZone": "us-east-1a", "Description": "", "Groups": [{"GroupName": "web", "GroupId": "sg-0123456789abcdef0"}],
        "InterfaceType": "interface", "Ipv6Addresses": [], "MacAddress": "0a:1b:2c:3d:4e:5f", "NetworkInterfaceId": ENI,
        "OwnerId": ACCOUNT, "PrivateDnsName": "ip-10-0-1-23.ec2.internal", "PrivateIpAddress": IP,
        "PrivateIpAddresses": [{"Primary": true, "PrivateDnsName": "ip-10-0-1-23.ec2.internal", "PrivateIpAddress": IP}],
        "RequesterManaged": false, "SourceDestCheck": true, "Status": "in-use", "SubnetId": SUBNET, "TagSet": [], "VpcId": VPC}]})
    .to_string();
    let mut inv = Inventory::default();
    let report = inv.load_json("enis.json", doc.as_bytes()).unwrap();
    assert_eq!(
        (report.format, report.interfaces),
        ("describe-network-interfaces", 1)
    );
    // A Resolver query without srcids is matched by (account, address).
    let f = scan(
        &[(
            "resolver.log",
            resolver_query(ACCOUNT, IP, None, "c2.guarddutyc2activityb.com", ATTACK),
        )],
        Some(inv),
    );
    let d = details(find(&f, C2));
    assert_eq!(d.instance_id.as_deref(), Some(INSTANCE));
    let ni = &d.network_interfaces.as_ref().unwrap()[0];
    assert_eq!(ni.network_interface_id.as_deref(), Some(ENI));
    assert_eq!(ni.public_ip.as_deref(), Some("54.210.10.20"));
    assert_eq!(ni.subnet_id.as_deref(), Some(SUBNET));
}

#[test]
fn dns_query_from_a_known_instance_gets_its_details() {
    let trail = cloudtrail(&[run_instances(INSTANCE, ENI, IP, LAUNCH, "1")]);
    let f = scan(
        &[
            ("trail.json", trail),
            (
                "resolver.log",
                resolver_query(
                    ACCOUNT,
                    IP,
                    Some(INSTANCE),
                    "c2.guarddutyc2activityb.com",
                    ATTACK,
                ),
            ),
        ],
        None,
    );
    assert_fully_described(details(find(&f, C2)));
}

/// The same private address in another account is another machine.
#[test]
fn same_private_address_in_another_account_does_not_map() {
    let trail = cloudtrail(&[run_instances(INSTANCE, ENI, IP, LAUNCH, "1")]);
    let queries = [
        resolver_query(ACCOUNT, IP, None, "c2.guarddutyc2activityb.com", ATTACK),
        resolver_query(
            OTHER_ACCOUNT,
            IP,
            None,
            "c2.guarddutyc2activityb.com",
            ATTACK,
        ),
    ]
    .join("\n");
    let f = scan(&[("trail.json", trail), ("resolver.log", queries)], None);
    let ours = f
        .iter()
        .find(|f| f.finding_type == C2 && f.account_id == ACCOUNT)
        .unwrap();
    assert_eq!(details(ours).instance_id.as_deref(), Some(INSTANCE));
    let theirs = f
        .iter()
        .find(|f| f.finding_type == C2 && f.account_id == OTHER_ACCOUNT)
        .unwrap();
    let d = details(theirs);
    assert_eq!(d.instance_id, None, "{d:?}");
    assert_eq!(
        d.network_interfaces.as_ref().unwrap()[0]
            .private_ip_address
            .as_deref(),
        Some(IP),
        "the finding still names the address"
    );
    assert!(theirs.title.contains(IP), "{}", theirs.title);
}

/// A terminated instance's address is its own until it is terminated (with slack for flow-log
/// aggregation), not after: by then it may be someone else's.
#[test]
fn a_terminated_instance_no_longer_holds_its_address() {
    let terminated = ATTACK + 600;
    let relaunched = "i-0ffffffffffffffff";
    let trail = cloudtrail(&[
        run_instances(INSTANCE, ENI, IP, LAUNCH, "1"),
        terminate_instances(INSTANCE, terminated, "2"),
    ]);
    let queries = [
        // While it ran.
        resolver_query(ACCOUNT, IP, None, "c2.guarddutyc2activityb.com", ATTACK),
        // Two hours after it was terminated.
        resolver_query(
            ACCOUNT,
            IP,
            None,
            "x7.guarddutyblackholeactivity.com",
            terminated + 7_200,
        ),
    ]
    .join("\n");
    let f = scan(
        &[
            ("trail.json", trail.clone()),
            ("resolver.log", queries.clone()),
        ],
        None,
    );
    let during = details(find(&f, C2));
    assert_eq!(during.instance_id.as_deref(), Some(INSTANCE));
    assert_eq!(during.instance_state.as_deref(), Some("shutting-down"));
    let after = details(find(&f, BLACKHOLE));
    assert_eq!(after.instance_id, None, "{after:?}");

    // The address goes to a new instance: later queries are that instance's.
    let trail = cloudtrail(&[
        run_instances(INSTANCE, ENI, IP, LAUNCH, "1"),
        terminate_instances(INSTANCE, terminated, "2"),
        run_instances(
            relaunched,
            "eni-0eeeeeeeeeeeeeeee",
            IP,
            terminated + 3_600,
            "3",
        ),
    ]);
    let f = scan(&[("trail.json", trail), ("resolver.log", queries)], None);
    assert_eq!(details(find(&f, C2)).instance_id.as_deref(), Some(INSTANCE));
    assert_eq!(
        details(find(&f, BLACKHOLE)).instance_id.as_deref(),
        Some(relaunched)
    );
}

/// An instance evicted from a full inventory is no longer named; the ones kept still are.
#[test]
fn evicted_instances_are_no_longer_named() {
    // Room for two instances with one interface each; three are launched, oldest first.
    let mut inv = Inventory::new(4);
    let trail: Vec<Value> = (0..3)
        .map(|i| {
            run_instances(
                &format!("i-0a1b2c3d4e5f6071{i}"),
                &format!("eni-0f0e0d0c0b0a0908{i}"),
                &format!("10.0.1.{}", 30 + i),
                LAUNCH + i as i64 * 60,
                &i.to_string(),
            )
        })
        .collect();
    let text = cloudtrail(&trail);
    let doc: Value = serde_json::from_str(&text).unwrap();
    for (i, r) in doc["Records"].as_array().unwrap().iter().enumerate() {
        let raw = r.to_string();
        let e: CloudTrailEvent = serde_json::from_str(&raw).unwrap();
        inv.learn(&e, (LAUNCH + i as i64 * 60) * 1000);
    }
    assert_eq!((inv.instances(), inv.interfaces()), (2, 2));
    let flows = [
        ssh_brute_force(ACCOUNT, "eni-0f0e0d0c0b0a09080", "10.0.1.30", ATTACK),
        ssh_brute_force(ACCOUNT, "eni-0f0e0d0c0b0a09082", "10.0.1.32", ATTACK),
    ]
    .join("\n");
    let f = scan(&[("flow.log", flows)], Some(inv));
    let named: Vec<Option<&str>> = {
        let mut v: Vec<_> = f
            .iter()
            .map(|f| details(f).instance_id.as_deref())
            .collect();
        v.sort();
        v
    };
    assert_eq!(named, [None, Some("i-0a1b2c3d4e5f60712")]);
}

/// Interfaces created and attached later, tags changed and an Elastic IP associated: the
/// instance's description follows, and a failed call changes nothing.
#[test]
fn interface_tag_and_address_calls_update_the_instance() {
    let second = "eni-0b0b0b0b0b0b0b0b0";
    let records = [
        run_instances(INSTANCE, ENI, IP, LAUNCH, "1"),
        ec2_call(
            "CreateNetworkInterface",
            LAUNCH + 60,
            "2",
            json!({"subnetId": SUBNET, "description": "data", "groupSet": {"items": [{"groupId": "sg-0aaaaaaaaaaaaaaaa"}]}, "privateIpAddressesSet": {}}),
            json!({"requestId": "req-2", "networkInterface": {"networkInterfaceId": second, "subnetId": SUBNET, "vpcId": VPC,
                "availabilityZone": "us-east-1a", "description": "data", "ownerId": ACCOUNT, "requesterManaged": false, "status": "pending",
                "macAddress": "0a:00:00:00:00:02", "privateIpAddress": "10.0.1.99", "privateDnsName": "ip-10-0-1-99.ec2.internal",
                "sourceDestCheck": true, "interfaceType": "interface",
                "groupSet": {"items": [{"groupId": "sg-0aaaaaaaaaaaaaaaa", "groupName": "data"}]},
                "privateIpAddressesSet": {"item": [{"privateIpAddress": "10.0.1.99", "privateDnsName": "ip-10-0-1-99.ec2.internal", "primary": true}]},
                "ipv6AddressesSet": {}, "tagSet": {}}}),
        ),
        ec2_call(
            "AttachNetworkInterface",
            LAUNCH + 120,
            "3",
            json!({"networkInterfaceId": second, "instanceId": INSTANCE, "deviceIndex": 1}),
            json!({"requestId": "req-3", "attachmentId": "eni-attach-0bbbbbbbbbbbbbbbb", "networkCardIndex": 0}),
        ),
        ec2_call(
            "CreateTags",
            LAUNCH + 180,
            "4",
            json!({"resourcesSet": {"items": [{"resourceId": INSTANCE}]}, "tagSet": {"items": [{"key": "Env", "value": "prod"}]}}),
            json!({"requestId": "req-4", "_return": true}),
        ),
        ec2_call(
            "DeleteTags",
            LAUNCH + 240,
            "5",
            json!({"resourcesSet": {"items": [{"resourceId": INSTANCE}]}, "tagSet": {"items": [{"key": "Team"}]}}),
            json!({"requestId": "req-5", "_return": true}),
        ),
        ec2_call(
            "AssociateAddress",
            LAUNCH + 300,
            "6",
            json!({"publicIp": "3.80.1.2", "networkInterfaceId": second, "allowReassociation": false}),
            json!({"requestId": "req-6", "_return": true, "associationId": "eipassoc-0123456789abcdef0"}),
        ),
        {
            // Denied: the interface is not moved to another instance.
            let mut r = ec2_call(
                "AttachNetworkInterface",
                LAUNCH + 360,
                "7",
                json!({"networkInterfaceId": second, "instanceId": "i-0cccccccccccccccc", "deviceIndex": 1}),
                Value::Null,
            );
            r["errorCode"] = "Client.UnauthorizedOperation".into();
            r["errorMessage"] = "You are not authorized to perform this operation.".into();
            r
        },
    ];
    let f = scan(
        &[
            ("trail.json", cloudtrail(&records)),
            (
                "flow.log",
                ssh_brute_force(ACCOUNT, second, "10.0.1.99", ATTACK),
            ),
        ],
        None,
    );
    let d = details(find(&f, SSH));
    assert_eq!(d.instance_id.as_deref(), Some(INSTANCE));
    assert_eq!(
        tags(d),
        [
            ("Env".to_string(), "prod".to_string()),
            ("Name".to_string(), "web-1".to_string())
        ]
    );
    let nis = d.network_interfaces.as_ref().unwrap();
    let ids: Vec<&str> = nis
        .iter()
        .filter_map(|n| n.network_interface_id.as_deref())
        .collect();
    assert_eq!(ids, [ENI, second], "primary first");
    assert_eq!(nis[1].public_ip.as_deref(), Some("3.80.1.2"));
    assert_eq!(
        nis[1].security_groups.as_ref().unwrap()[0]
            .group_name
            .as_deref(),
        Some("data")
    );
}

/// The public address an instance was given is matched too, in its account only.
#[test]
fn public_address_matches_in_its_account() {
    let mut inv = Inventory::default();
    inv.load_json("instances.json", describe_instances().as_bytes())
        .unwrap();
    let end = |account: &str| LocalEnd {
        account: account.into(),
        region: "us-east-1".into(),
        address: Some("54.210.10.20".parse().unwrap()),
        time_ms: ATTACK * 1000,
        ..Default::default()
    };
    assert_eq!(
        inv.resolve(&end(ACCOUNT)).unwrap().instance_id.as_deref(),
        Some(INSTANCE)
    );
    assert!(inv.resolve(&end(OTHER_ACCOUNT)).is_none());
    // Another VPC's record of the same address is not this instance.
    let mut other_vpc = end(ACCOUNT);
    other_vpc.address = Some(IP.parse().unwrap());
    other_vpc.vpc_id = Some("vpc-0999999999999999a".into());
    assert!(inv.resolve(&other_vpc).is_none());
    // Nor another Region's.
    let mut other_region = end(ACCOUNT);
    other_region.region = "eu-west-1".into();
    assert!(inv.resolve(&other_region).is_none());
}

#[test]
fn bad_inventory_files_say_where() {
    let mut inv = Inventory::default();
    match inv.load_json(
        "broken.json",
        b"{\n  \"Reservations\": [\n    {\"Instances\": [}\n",
    ) {
        Err(InventoryError::Parse { file, line, .. }) => {
            assert_eq!((file.as_str(), line), ("broken.json", 3))
        }
        other => panic!("{other:?}"),
    }
    let wrong_type = br#"{"Reservations": [{"OwnerId": "111122223333", "Instances": [
        {"InstanceId": "i-0a1b2c3d4e5f60718", "InstanceType": 5}]}]}"#;
    let e = inv.load_json("typed.json", wrong_type).unwrap_err();
    assert!(
        e.to_string().starts_with("typed.json: line 2, column")
            && e.to_string().contains("invalid type"),
        "{e}"
    );
    let e = inv
        .load_json("other.json", br#"{"Buckets": []}"#)
        .unwrap_err();
    assert!(matches!(e, InventoryError::Shape { .. }), "{e}");
    assert!(
        inv.load_file(std::path::Path::new("/nonexistent/inventory.json"))
            .is_err()
    );
    // An instance without an id is skipped and reported; the rest loads.
    let partial = br#"{"Reservations": [{"OwnerId": "111122223333", "Instances": [
        {"InstanceType": "t3.micro"}, {"InstanceId": "i-0a1b2c3d4e5f60718", "PrivateIpAddress": "10.0.1.23"}]}]}"#;
    let report = inv.load_json("partial.json", partial).unwrap();
    assert_eq!(report.instances, 1);
    assert_eq!(
        report.skipped,
        ["Reservations[0].Instances[0]: no InstanceId"]
    );
    let by_address = LocalEnd {
        account: ACCOUNT.into(),
        address: Some(IP.parse().unwrap()),
        time_ms: ATTACK * 1000,
        ..Default::default()
    };
    assert_eq!(
        inv.resolve(&by_address).unwrap().instance_id.as_deref(),
        Some(INSTANCE),
        "an instance listed without interfaces is found by its own address"
    );
}

/// EC2 records of unexpected shapes teach nothing and never panic.
#[test]
fn odd_ec2_records_are_ignored() {
    let mut inv = Inventory::default();
    let odd = [
        json!({"instancesSet": "nope"}),
        json!({"instancesSet": {"items": [{"instanceId": 7}, {"networkInterfaceSet": {"items": [1, 2]}}]}}),
        json!({"networkInterface": []}),
        json!([1, 2, 3]),
        Value::Null,
    ];
    for name in [
        "RunInstances",
        "CreateNetworkInterface",
        "AttachNetworkInterface",
        "CreateTags",
        "TerminateInstances",
        "AssociateAddress",
    ] {
        for (i, v) in odd.iter().enumerate() {
            let r = ec2_call(name, LAUNCH, &i.to_string(), v.clone(), v.clone()).to_string();
            let e: CloudTrailEvent = serde_json::from_str(&r).unwrap();
            inv.learn(&e, LAUNCH * 1000);
        }
    }
    assert!(inv.is_empty(), "{} instances", inv.instances());
}
