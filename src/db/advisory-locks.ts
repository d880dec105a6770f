// Every PostgreSQL advisory lock key the application takes, in one place, so that
// no two jobs share a key by accident (they would block each other).

export const ADVISORY_LOCKS = {
  migrations: 7_069_078_300,
  retention: 7_069_078_301,
  referenceImport: 7_069_078_302,
  crashProcessing: 7_069_078_317,
  firstUser: 7_069_078_340,
  rollupFold: 7_069_078_318,
} as const;
