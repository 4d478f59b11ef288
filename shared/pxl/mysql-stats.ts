/**
 * The MySQL stats script: the same one-row summary and echo as the HTTP script
 * (shared/pxl/http-stats.ts), over the MySQL queries the selected pods SENT (their outbound
 * database calls), so a canary's new query plan or new query error shows up as its own latency or
 * error rate.
 *
 * Why it looks the way it does (pixie-io/pixie, paths under src/stirling/source_connectors/socket_tracer):
 * - mysql_events has time_, upid, remote_addr, remote_port, trace_role, req_cmd, req_body,
 *   resp_status, resp_body and latency in ns (mysql_table.h).
 * - Pixie traces MySQL on both sides of a connection, in-cluster or not (conn_tracker.cc), so the
 *   same query is a server row under the database's pod and a client row under the caller's.
 *   `trace_role == 1` (client; bcc_bpf_intf/common.h) counts each query once, under the pod that
 *   sent it.
 * - An error is resp_status == 3 (RespStatus::kErr, protocols/mysql/types.h), as Pixie's own
 *   src/pxl_scripts/px/mysql_stats/mysql_stats.pxl counts it.
 * - Queries have no path or method: the script takes neither, and the parameters are refused.
 */
import { COMMON_HELPERS, COVERAGE_AGGS, coverageHelper, publicFunctions } from './entry-points'
import { definePxlScript } from './script'

/** mysql_events resp_status of an error response (protocols/mysql/types.h RespStatus::kErr). */
export const MYSQL_RESP_STATUS_ERR = 3

const SOURCE = `import px


${COMMON_HELPERS}


def _rows(start_time: str, namespace: str):
    df = px.DataFrame(table='mysql_events', start_time=start_time, select=['time_', 'upid', 'trace_role', 'resp_status', 'latency'])
    df = df[df.trace_role == 1]
    df.namespace = df.ctx['namespace']
    df = df[df.namespace == namespace]
    return df


${coverageHelper('mysql_events')}


def _summarize(df, start_time: str):
    df.failure = df.resp_status == ${MYSQL_RESP_STATUS_ERR}
    df = _covered(df, start_time)
    df = df.agg(requests=('latency', px.count), errors=('failure', px.sum), latency_sum_ns=('latency', px.sum), latency_quantiles=('latency', px.quantiles), ${COVERAGE_AGGS})
    df.now_ns = px.now()
    return _quantiles(df)


${publicFunctions('start_time: str, namespace: str', '')}`

/** The MySQL stats script (constant source; see the module comment). */
export const MYSQL_STATS_SCRIPT = definePxlScript('px-canary/mysql_stats', SOURCE)
