package dev.ferry.audit;

/**
 * Published as a bean by the module that runs PostgreSQL inside this process (the system
 * module's embedded database), whose data lives on this instance's disk. With
 * {@code sftp.audit.durability=auto} records are then confirmed from the local journal: as
 * durable there as in that database, and far cheaper. Without such a bean the database is
 * external, and records are confirmed once committed in it. (The audit asks for the fact rather
 * than for the module that knows it, so that it depends on no other module.)
 */
public interface LocalDatabase {
}
