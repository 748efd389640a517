-- Run once on every fresh conformance server, as root over its unix socket, before the first test.
-- It gives the lab server what mariadb-test-run's own bootstrap gives the servers it starts (see
-- mysql_install_db in mariadb-test-run.pl): a latin1 `test` database, no lab-only database, an `mtr`
-- schema with add_suppression(), an Aria gtid_slave_pos. It then records the baseline that
-- mtr.odp_reset() (called by reset.inc before every test) restores. The runner then loads the time-zone
-- test data (the server's mysql_test_data_timezone.sql) and saves mysql.proc to
-- <vardir>/odp_baseline_proc.txt for reset.inc.

DROP DATABASE IF EXISTS odp_test;
CREATE DATABASE IF NOT EXISTS test CHARACTER SET latin1 COLLATE latin1_swedish_ci;
ALTER TABLE mysql.gtid_slave_pos ENGINE=Aria transactional=0;
DELETE FROM mysql.global_priv WHERE user = '';
FLUSH PRIVILEGES;

CREATE DATABASE mtr CHARSET=latin1;
CREATE TABLE mtr.test_suppressions (pattern VARCHAR(255)) ENGINE=MyISAM;
-- Tests call this to silence error-log lines; warnings are not checked under --extern, so only record.
CREATE DEFINER=root@localhost PROCEDURE mtr.add_suppression(pattern VARCHAR(255))
  INSERT INTO mtr.test_suppressions (pattern) VALUES (pattern);

CREATE TABLE mtr.odp_baseline_users ENGINE=MyISAM AS SELECT User, Host FROM mysql.user;
CREATE TABLE mtr.odp_baseline_vars ENGINE=MyISAM AS
  SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES;

DELIMITER //
-- Undoes what a test (finished or aborted half-way) left behind: extra databases, users and roles,
-- changed global variables; then recreates an empty `test`. Statements that fail (read-only
-- variables, values that only the server may set) are skipped. The cursor's query is materialized at
-- OPEN, so dropping objects while fetching is safe.
CREATE DEFINER=root@localhost PROCEDURE mtr.odp_reset()
BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE stmt TEXT;
  DECLARE c CURSOR FOR
    SELECT CONCAT('DROP DATABASE `', REPLACE(SCHEMA_NAME, '`', '``'), '`')
      FROM information_schema.SCHEMATA
      WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys', 'mtr')
    UNION ALL
    SELECT IF(u.is_role = 'Y', CONCAT('DROP ROLE ', QUOTE(u.User)),
              CONCAT('DROP USER ', QUOTE(u.User), '@', QUOTE(u.Host)))
      FROM mysql.user u
      WHERE (u.User, u.Host) NOT IN (SELECT User, Host FROM mtr.odp_baseline_users)
    UNION ALL
    SELECT CONCAT('SET GLOBAL ', b.VARIABLE_NAME, ' = ',
                  IF(b.VARIABLE_VALUE REGEXP '^-?[0-9]+(\\.[0-9]+)?$', b.VARIABLE_VALUE, QUOTE(b.VARIABLE_VALUE)))
      FROM information_schema.GLOBAL_VARIABLES g JOIN mtr.odp_baseline_vars b USING (VARIABLE_NAME)
      WHERE b.VARIABLE_VALUE IS NOT NULL AND NOT (g.VARIABLE_VALUE <=> b.VARIABLE_VALUE);
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  OPEN c;
  next_stmt: LOOP
    FETCH c INTO stmt;
    IF done THEN LEAVE next_stmt; END IF;
    PREPARE odp_reset_stmt FROM stmt;
    EXECUTE odp_reset_stmt;
    DEALLOCATE PREPARE odp_reset_stmt;
  END LOOP;
  CLOSE c;
  CREATE DATABASE IF NOT EXISTS test CHARACTER SET latin1 COLLATE latin1_swedish_ci;
END//
DELIMITER ;
