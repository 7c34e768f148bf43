/** The fleet's Prometheus metric names: a contract (the alert pack and dashboards select on them). */
export const METRICS = {
  expiry: 'mtls_doctor_cert_expiry_timestamp_seconds',
  pods: 'mtls_doctor_scan_pods',
  drift: 'mtls_doctor_trust_bundle_drift_pods',
  phase: 'mtls_doctor_rotation_phase',
  violations: 'mtls_doctor_rotation_violations',
  duration: 'mtls_doctor_scan_duration_seconds',
} as const;
