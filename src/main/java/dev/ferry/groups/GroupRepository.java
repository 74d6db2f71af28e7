package dev.ferry.groups;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface GroupRepository extends JpaRepository<Group, Long> {

    @Query("select g from Group g where lower(g.name) = lower(:name)")
    Optional<Group> findByNameIgnoreCase(String name);

    @Query("select g from Group g where lower(g.name) in :lowerNames")
    List<Group> findByLowerNames(Collection<String> lowerNames);

    @Query("select g from Group g order by lower(g.name)")
    List<Group> findAllByName();
}
