// OceanBase errors the emulators answer with. OceanBase sends its own code (absolute value) as the MySQL
// errno when an error has no MySQL equivalent, with SQLSTATE HY000; errors that map to MySQL use the MySQL
// errno (spec §7.4 names the codes; numbers and messages checked against OceanBase's ob_errno.h).

export interface ObError {
  readonly errno: number;
  readonly sqlState: string;
  readonly message: string;
}

/** OB_TENANT_NOT_IN_SERVER (-5150): the tenant has no unit on this server (login is retried elsewhere, §7.4). */
export const tenantNotInServer = (): ObError => ({ errno: 5150, sqlState: 'HY000', message: 'Tenant not in this server' });

/** OB_ERR_INVALID_TENANT_NAME (-5160): no tenant of that name in the cluster. */
export const invalidTenant = (): ObError => ({ errno: 5160, sqlState: 'HY000', message: 'invalid tenant name specified in connection string' });

/** OB_CLUSTER_NO_MATCH (-4666): the login names another cluster (spec §2.2 `__cluster_name`). */
export const clusterNoMatch = (cluster: string): ObError => ({ errno: 4666, sqlState: 'HY000', message: `cluster name is not match to '${cluster}'` });

/** OB_PASSWORD_WRONG / OB_USER_NOT_EXIST reach the client as MySQL's ER_ACCESS_DENIED_ERROR. */
export const accessDenied = (user: string, host: string, usingPassword: boolean): ObError => ({
  errno: 1045,
  sqlState: '28000',
  message: `Access denied for user '${user}'@'${host}' (using password: ${usingPassword ? 'YES' : 'NO'})`,
});

/**
 * OB_SERVER_IS_STOPPING (-8002): what `reject-logins on` answers; ODP retries the login on another server
 * (§7.4). The message text is the lab's own (the kernel's text was not available to check).
 */
export const serverIsStopping = (): ObError => ({ errno: 8002, sqlState: 'HY000', message: 'Server is stopping' });

export const unknownCommand = (): ObError => ({ errno: 1047, sqlState: '08S01', message: 'Unknown command' });

export const notSupported = (what: string): ObError => ({ errno: 1235, sqlState: '42000', message: `${what} is not supported by the lab observer emulator` });

export const unknownThread = (id: string): ObError => ({ errno: 1094, sqlState: 'HY000', message: `Unknown thread id: ${id}` });

export const noSuchView = (name: string): ObError => ({ errno: 1146, sqlState: '42S02', message: `Table 'oceanbase.${name}' doesn't exist` });

/** The shared MariaDB could not be reached: OB_CONNECT_ERROR (-4124) is how an observer reports a lost peer. */
export const backendDown = (detail: string): ObError => ({ errno: 4124, sqlState: 'HY000', message: `lab backend unavailable: ${detail}` });
