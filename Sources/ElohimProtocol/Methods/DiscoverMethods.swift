/// `rpc.discover`: the OpenRPC document describing every method.
public enum DiscoverMethods {
    public static let discover = MethodSpec<NoParams, JSONValue>(
        "rpc.discover",
        summary: "The OpenRPC document describing every method of this daemon.",
        access: .open,
        result: ["$ref": "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json"]
    )
}
