// The API's filter parameters and breakdown keys, with their labels.

export const DIMS = ['user', 'tenant', 'department', 'session', 'session_type', 'feature', 'api_key'];
export const FILTERS = ['provider', 'model', 'service', 'environment', 'status', ...DIMS];
export const BY = ['provider', 'model', 'service', 'environment', 'status', ...DIMS];
export const STATUSES = ['priced', 'partial', 'unpriced', 'provider_reported', 'invalid'];
const LABELS = {
  provider: 'Provider', model: 'Model', service: 'Service', status: 'Status', user: 'User', tenant: 'Tenant',
  department: 'Department', session: 'Session', session_type: 'Session type', feature: 'Feature', api_key: 'API key',
  operation: 'Operation', environment: 'Environment',
};
export const label = (k) => LABELS[k] || k;
