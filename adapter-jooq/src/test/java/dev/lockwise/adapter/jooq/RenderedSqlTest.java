package dev.lockwise.adapter.jooq;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.assertj.core.api.Assertions.assertThat;

/** The statements jOOQ renders once must be what the adapter binds: the version check, in this parameter order. */
class RenderedSqlTest {

    private static String field(Object repository, String name) throws Exception {
        Field field = repository.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return (String) field.get(repository);
    }

    @Test
    void theConditionalUpdateChecksTheVersionAndBumpsIt() throws Exception {
        String sql = field(new JooqAccountRepository(new org.postgresql.ds.PGSimpleDataSource()), "updateIfVersion");
        assertThat(sql).isEqualTo("update \"account\" set \"balance\" = ?, \"version\" = (\"account\".\"version\" + 1)"
                + " from (select set_config('lock_timeout', '5000ms', true)) as \"bound\""
                + " where (\"account\".\"id\" = ? and \"account\".\"version\" = ?)");
        String facts = field(new JooqVerFactRepository(new org.postgresql.ds.PGSimpleDataSource()), "updateIfVersion");
        assertThat(facts).isEqualTo("update \"verfact\" set \"state\" = ?, \"processed\" = ?,"
                + " \"version\" = (\"verfact\".\"version\" + 1)"
                + " from (select set_config('lock_timeout', '5000ms', true)) as \"bound\""
                + " where (\"verfact\".\"id\" = ? and \"verfact\".\"version\" = ?)");
    }
}
