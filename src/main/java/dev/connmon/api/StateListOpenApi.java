package dev.connmon.api;

import dev.connmon.query.FilterParameter;
import dev.connmon.query.StateFilter;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * Documents the list filters ({@link StateFilter.Field}) as query parameters of the state list, its CSV export and
 * its live stream (one GET operation in OpenAPI): the filters are read from the query string, not from annotated
 * fields, so the annotation scanner cannot see them. Runs at build time, on the document Quarkus serves.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class StateListOpenApi implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        PathItem path = openAPI.getPaths() == null ? null : openAPI.getPaths().getPathItem(ClientStateResource.PATH);
        Operation list = path == null ? null : path.getGET();
        if (list == null) {
            throw new IllegalStateException("OpenAPI: no GET " + ClientStateResource.PATH + " to add the filters to");
        }
        List<Parameter> parameters = new ArrayList<>(list.getParameters() == null ? List.of() : list.getParameters());
        for (StateFilter.Field field : StateFilter.Field.values()) {
            FilterParameter filter = field.parameter();
            parameters.add(parameter(filter));
            if (filter.alias() != null) {
                parameters.add(query(filter.alias(), "Alias of " + filter.name() + " (Watson)", string()));
            }
        }
        // as the scanner orders the annotated ones: by location, then by name
        parameters.sort(
                Comparator.comparing((Parameter p) -> p.getIn().ordinal()).thenComparing(Parameter::getName));
        list.setParameters(parameters);
    }

    private static Parameter parameter(FilterParameter filter) {
        return switch (filter.type()) {
            case TEXT -> {
                Parameter p = query(
                        filter.name(),
                        filter.description(),
                        filter.values().isEmpty()
                                ? string()
                                : OASFactory.createSchema().enumeration(new ArrayList<>(filter.values())));
                yield p.example(filter.example());
            }
            case TIME ->
                query(filter.name(), filter.description() + ". " + StateListRequest.TIME, string())
                        .example(filter.example());
            case INTEGER ->
                query(
                                filter.name(),
                                filter.description(),
                                OASFactory.createSchema()
                                        .addType(Schema.SchemaType.INTEGER)
                                        .minimum(BigDecimal.valueOf(filter.min()))
                                        .maximum(BigDecimal.valueOf(filter.max())))
                        .example(filter.example() == null ? null : Integer.valueOf(filter.example()));
            case BOOLEAN ->
                query(
                        filter.name(),
                        filter.description(),
                        OASFactory.createSchema()
                                .enumeration(filter.values().stream()
                                        .<Object>map(Boolean::valueOf)
                                        .toList()));
        };
    }

    private static Parameter query(String name, String description, Schema schema) {
        return OASFactory.createParameter()
                .name(name)
                .in(Parameter.In.QUERY)
                .description(description)
                .schema(schema);
    }

    private static Schema string() {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING);
    }
}
