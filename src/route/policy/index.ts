// Replica choice (spec §5.2–§5.4, §3.6): which replica of a tablet runs a statement. PURE; the session decides
// with it (src/session/preparer.ts) once the location cache has named the tablet.
export { chooseReplica, weakPolicyOf, type PolicyChoice, type PolicyInput, type RoutePolicyName } from './choose.js';
export { isRead, isWeakSetting, readConsistency, unquote, type Consistency } from './consistency.js';
export { classifyIdc, IdcCache, idcTypeOf, type IdcMap, type IdcType, type LdcServer } from './ldc.js';
