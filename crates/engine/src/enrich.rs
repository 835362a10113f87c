//! Enrichment: fill in what intelligence knows about a signal's remote address
//! (`remoteIpDetails`: country, city, location, organization), and decide whether a trusted IP
//! list suppresses it. Private and AWS addresses are labelled as such, not geolocated.

use std::net::IpAddr;
use warden_intel::Intel;
use warden_model::Signal;
use warden_model::finding::{City, Country, GeoLocation, Organization, RemoteIpDetails};

/// The signal's remote address, if it has one.
pub fn remote_ip(signal: &Signal) -> Option<IpAddr> {
    let a = &signal.action;
    let d = a
        .aws_api_call_action
        .as_ref()
        .and_then(|x| x.remote_ip_details.as_ref())
        .or_else(|| {
            a.network_connection_action
                .as_ref()
                .and_then(|x| x.remote_ip_details.as_ref())
        })
        .or_else(|| {
            a.port_probe_action
                .as_ref()
                .and_then(|x| x.port_probe_details.first())
                .and_then(|d| d.remote_ip_details.as_ref())
        })?;
    d.ip_address_v4
        .as_deref()
        .or(d.ip_address_v6.as_deref())?
        .parse()
        .ok()
}

/// Whether a trusted IP list holds the signal's remote address.
pub fn is_trusted(signal: &Signal, intel: &Intel) -> bool {
    remote_ip(signal).is_some_and(|ip| intel.is_trusted(ip))
}

pub fn fill_remote_ip_details(details: &mut RemoteIpDetails, ip: IpAddr, intel: &Intel) {
    let geo = intel.geo(ip);
    if let Some(label) = geo.special {
        details.organization = Some(Organization {
            org: Some(format!("{label} address")),
            isp: Some(format!("{label} address")),
            ..Default::default()
        });
        return;
    }
    if geo.country_code.is_some() || geo.country_name.is_some() {
        details.country = Some(Country {
            country_code: geo.country_code.clone(),
            country_name: geo.country_name.clone(),
        });
    }
    if let Some(c) = &geo.city {
        details.city = Some(City {
            city_name: c.clone(),
        });
    }
    if let (Some(lat), Some(lon)) = (geo.lat, geo.lon) {
        details.geo_location = Some(GeoLocation { lat, lon });
    }
    let mut org = Organization {
        asn: geo.asn.map(|a| a.to_string()),
        asn_org: geo.asn_org.clone(),
        isp: geo.asn_org.clone(),
        org: geo.asn_org.clone(),
    };
    if let Some(r) = intel.aws_range(ip) {
        let label = format!("Amazon.com (AWS {} {})", r.services.join("/"), r.region);
        org.isp = Some("Amazon.com".into());
        org.org = Some(label);
    }
    if org.asn.is_some() || org.org.is_some() {
        details.organization = Some(org);
    }
}

/// Fill every remote address the signal carries.
pub fn enrich(signal: &mut Signal, intel: &Intel) {
    let Some(ip) = remote_ip(signal) else { return };
    let a = &mut signal.action;
    if let Some(d) = a
        .aws_api_call_action
        .as_mut()
        .and_then(|x| x.remote_ip_details.as_mut())
    {
        fill_remote_ip_details(d, ip, intel);
    }
    if let Some(d) = a
        .network_connection_action
        .as_mut()
        .and_then(|x| x.remote_ip_details.as_mut())
    {
        fill_remote_ip_details(d, ip, intel);
    }
    if let Some(p) = a.port_probe_action.as_mut() {
        for d in p
            .port_probe_details
            .iter_mut()
            .filter_map(|d| d.remote_ip_details.as_mut())
        {
            if let Some(ip) = d
                .ip_address_v4
                .as_deref()
                .or(d.ip_address_v6.as_deref())
                .and_then(|s| s.parse().ok())
            {
                fill_remote_ip_details(d, ip, intel);
            }
        }
    }
}
