/* variates.c -- fast samplers over keyed streams; see variates.h.
 *
 * The tables below are the output of bench/variates_tables.py, which says
 * how they are built:
 *   - the ziggurat of the standard normal, 128 layers of equal area under
 *     exp(-x^2/2).  A word gives the layer i (7 bits), the sign (1 bit) and
 *     x = j e_i / 2^24 (24 bits), as in GSL's gsl_ran_gaussian_ziggurat;
 *     zig_w[i] = e_i / 2^24, zig_k[i] = the j below which x lies inside
 *     the curve, zig_y[i] = f(e_{i-1}), so that layer i spans y in
 *     [zig_y[i+1], zig_y[i]];
 *   - 2^(i/128) for the inline exp of variates.h. */
#include "variates.h"

#include <gsl/gsl_sf_gamma.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

/* short names for the tables variates.h exports */
#define ZIG_LAYERS IPSIM_VARIATES_ZIG_LAYERS
#define zig_k ipsim_variates_zig_k
#define zig_w ipsim_variates_zig_w

#define ZIG_R 3.442619855896652
const uint32_t ipsim_variates_zig_k[ZIG_LAYERS] = {
    0u, 12590646u, 14272655u, 14988941u, 15384586u, 15635011u,
    15807563u, 15933579u, 16029596u, 16105157u, 16166149u, 16216401u,
    16258510u, 16294297u, 16325080u, 16351833u, 16375293u, 16396028u,
    16414481u, 16431004u, 16445882u, 16459345u, 16471580u, 16482746u,
    16492973u, 16502371u, 16511033u, 16519041u, 16526461u, 16533355u,
    16539771u, 16545757u, 16551350u, 16556586u, 16561495u, 16566103u,
    16570436u, 16574514u, 16578356u, 16581979u, 16585400u, 16588632u,
    16591687u, 16594578u, 16597313u, 16599904u, 16602357u, 16604681u,
    16606884u, 16608971u, 16610948u, 16612821u, 16614596u, 16616275u,
    16617864u, 16619366u, 16620785u, 16622124u, 16623386u, 16624574u,
    16625689u, 16626734u, 16627712u, 16628623u, 16629469u, 16630252u,
    16630973u, 16631633u, 16632232u, 16632772u, 16633253u, 16633676u,
    16634040u, 16634345u, 16634592u, 16634780u, 16634909u, 16634978u,
    16634986u, 16634933u, 16634816u, 16634636u, 16634389u, 16634074u,
    16633688u, 16633230u, 16632697u, 16632084u, 16631389u, 16630608u,
    16629736u, 16628767u, 16627697u, 16626519u, 16625225u, 16623807u,
    16622256u, 16620562u, 16618713u, 16616695u, 16614493u, 16612090u,
    16609464u, 16606592u, 16603448u, 16599998u, 16596205u, 16592024u,
    16587401u, 16582272u, 16576558u, 16570162u, 16562964u, 16554811u,
    16545510u, 16534808u, 16522367u, 16507732u, 16490264u, 16469044u,
    16442689u, 16409025u, 16364393u, 16302110u, 16208407u, 16049218u,
    15707337u, 15555140u,
};
const double ipsim_variates_zig_w[ZIG_LAYERS] = {
    1.62315884056488864e-08, 2.16288227455866575e-08, 2.54242412032667884e-08,
    2.84575126918428685e-08, 3.10335182383743649e-08, 3.33006488308619916e-08,
    3.53433455492245490e-08, 3.72146724050694136e-08, 3.89503621289159770e-08,
    4.05757378724756839e-08, 4.21094662734036930e-08, 4.35657447947193377e-08,
    4.49556508323258579e-08, 4.62880127356141286e-08, 4.75699937716886746e-08,
    4.88074962308000611e-08, 5.00054487157588156e-08, 5.11680151926309889e-08,
    5.22987502275536447e-08, 5.34007163385295469e-08, 5.44765741234304106e-08,
    5.55286524654242116e-08, 5.65590039192386163e-08, 5.75694489114362848e-08,
    5.85616113843179431e-08, 5.95369478154566429e-08, 6.04967710518419820e-08,
    6.14422700438771291e-08, 6.23745263071406339e-08, 6.32945277502310211e-08,
    6.42031803656779542e-08, 6.51013181743952137e-08, 6.59897117330751275e-08,
    6.68690754516276398e-08, 6.77400739194796056e-08, 6.86033274018154405e-08,
    6.94594166371254513e-08, 7.03088870438612171e-08, 7.11522524251802333e-08,
    7.19899982456420734e-08, 7.28225845414974192e-08, 7.36504485162783719e-08,
    7.44740068652829116e-08, 7.52936578658836380e-08, 7.61097832650959593e-08,
    7.69227499912901849e-08, 7.77329117131484778e-08, 7.85406102658118856e-08,
    7.93461769615219217e-08, 8.01499337998457822e-08, 8.09521945907129803e-08,
    8.17532660019238398e-08, 8.25534485414713126e-08, 8.33530374839071506e-08,
    8.41523237490511324e-08, 8.49515947405613573e-08, 8.57511351512349647e-08,
    8.65512277413735890e-08, 8.73521540961143403e-08, 8.81541953672825145e-08,
    8.89576330050596855e-08, 8.97627494845718365e-08, 9.05698290323836162e-08,
    9.13791583578322098e-08, 9.21910273941459504e-08, 9.30057300543690257e-08,
    9.38235650072544705e-08, 9.46448364784956473e-08, 9.54698550829456458e-08,
    9.62989386938293513e-08, 9.71324133553909257e-08, 9.79706142459501514e-08,
    9.88138866989736368e-08, 9.96625872905166386e-08, 1.00517085002272513e-07,
    1.01377762470501729e-07, 1.02245017332322401e-07, 1.03119263682260739e-07,
    1.04000933653615516e-07, 1.04890479141129968e-07, 1.05788373683736877e-07,
    1.06695114528812112e-07, 1.07611224902513541e-07, 1.08537256514489946e-07,
    1.09473792329632286e-07, 1.10421449644749602e-07, 1.11380883514257812e-07,
    1.12352790576390601e-07, 1.13337913340349069e-07, 1.14337045005543967e-07,
    1.15351034897083081e-07, 1.16380794617467479e-07, 1.17427305033785925e-07,
    1.18491624243441887e-07, 1.19574896690783933e-07, 1.20678363643463518e-07,
    1.21803375282923595e-07, 1.22951404720781082e-07, 1.24124064325554679e-07,
    1.25323124836981250e-07, 1.26550537864553341e-07, 1.27808462521807034e-07,
    1.29099297150661991e-07, 1.30425717358113551e-07, 1.31790721945448368e-07,
    1.33197688793364575e-07, 1.34650443426688291e-07, 1.36153343896487749e-07,
    1.37711386900842309e-07, 1.39330341895552302e-07, 1.41016922599910932e-07,
    1.42779009223429388e-07, 1.44625940652502257e-07, 1.46568904960653169e-07,
    1.48621471052882099e-07, 1.50800327800838122e-07, 1.53126336689093032e-07,
    1.55626073385990419e-07, 1.58334160522114753e-07, 1.61296938247604491e-07,
    1.64578519605645746e-07, 1.68271383675692447e-07, 1.72516346396128556e-07,
    1.77544132032693428e-07, 1.83774760855091426e-07, 1.92110835586703911e-07,
    2.05196133607426397e-07, 2.21317186757347731e-07,
};
static const double zig_y[ZIG_LAYERS] = {
    1.00000000000000000e+00, 9.63599693155766768e-01, 9.36282681708370368e-01,
    9.13043647992037410e-01, 8.92281650802302151e-01, 8.73243048926853005e-01,
    8.55500607885063769e-01, 8.38783605310646774e-01, 8.22907211395261573e-01,
    8.07738294696120684e-01, 7.93177011783858799e-01, 7.79146085941702760e-01,
    7.65584173909235610e-01, 7.52441559185703435e-01, 7.39677243683337760e-01,
    7.27256918354505455e-01, 7.15151507420476618e-01, 7.03336099025816952e-01,
    6.91789143446035371e-01, 6.80491841006413800e-01, 6.69427667357705647e-01,
    6.58582000058653194e-01, 6.47941821118550365e-01, 6.37495477343144379e-01,
    6.27232485257814054e-01, 6.17143370826562010e-01, 6.07219536632604417e-01,
    5.97453150951811840e-01, 5.87837054441820217e-01, 5.78364681126702029e-01,
    5.69029991074721297e-01, 5.59827412710694583e-01, 5.50751793121055044e-01,
    5.41798355031723911e-01, 5.32962659389987325e-01, 5.24240572678992489e-01,
    5.15628238249871806e-01, 5.07122051081304370e-01, 4.98718635476584071e-01,
    4.90414825289321399e-01, 4.82207646334838425e-01, 4.74094300698249260e-01,
    4.66072152694570641e-01, 4.58138716272871616e-01, 4.50291643686926646e-01,
    4.42528715280246343e-01, 4.34847830254661671e-01, 4.27246998309562143e-01,
    4.19724332054037974e-01, 4.12278040107024346e-01, 4.04906420811488144e-01,
    3.97607856498042311e-01, 3.90380808241389266e-01, 3.83223811059883401e-01,
    3.76135469514454202e-01, 3.69114453668274944e-01, 3.62159495373033047e-01,
    3.55269384851546965e-01, 3.48442967549872307e-01, 3.41679141235013473e-01,
    3.34976853316971024e-01, 3.28335098376152379e-01, 3.21752915879208623e-01,
    3.15229388068157423e-01, 3.08763638009251828e-01, 3.02354827789479641e-01,
    2.96002156849855702e-01, 2.89704860445810453e-01, 2.83462208226012424e-01,
    2.77273502921897730e-01, 2.71138079141025279e-01, 2.65055302258161929e-01,
    2.59024567398710714e-01, 2.53045298509765759e-01, 2.47116947514696650e-01,
    2.41238993547751246e-01, 2.35410942265727618e-01, 2.29632325234302659e-01,
    2.23902699387133780e-01, 2.18221646556370524e-01, 2.12588773073736081e-01,
    2.07003709441873768e-01, 2.01466110076203214e-01, 1.95975653118110438e-01,
    1.90532040320913754e-01, 1.85134997010713426e-01, 1.79784272124962036e-01,
    1.74479638332402209e-01, 1.69220892238924614e-01, 1.64007854684927651e-01,
    1.58840371140934994e-01, 1.53718312209586455e-01, 1.48641574243696839e-01,
    1.43610080091932851e-01, 1.38623779985850931e-01, 1.33682652584647538e-01,
    1.28786706197103834e-01, 1.23935980203981527e-01, 1.19130546708718435e-01,
    1.14370512449888162e-01, 1.09656021015817673e-01, 1.04987255410354502e-01,
    1.00364441029545545e-01, 9.57878491225781642e-02, 9.12578008276347385e-02,
    8.67746718955430402e-02, 8.23388982429574395e-02, 7.79509825146546959e-02,
    7.36115018847549180e-02, 6.93211173941802733e-02, 6.50805852136319141e-02,
    6.08907703485664017e-02, 5.67526634815386163e-02, 5.26674019035032123e-02,
    4.86362958602840970e-02, 4.46608622008724601e-02, 4.07428680747906474e-02,
    3.68843887869688136e-02, 3.30878861465052007e-02, 2.93563174402538714e-02,
    2.56932919361496370e-02, 2.21033046161116138e-02, 1.85921027371658242e-02,
    1.51672980106720545e-02, 1.18394786579823202e-02, 8.62448441293047277e-03,
    5.54899522081647549e-03, 2.66962908390250666e-03,
};
const uint64_t ipsim_variates_exp_tab[2 * IPSIM_VARIATES_EXP_N] = {
    0x0000000000000000u, 0x3ff0000000000000u, 0x3c9b3b4f1a88bf6eu,
    0x3feff63da9fb3335u, 0xbc7160139cd8dc5du, 0x3fefec9a3e778061u,
    0xbc905e7a108766d1u, 0x3fefe315e86e7f85u, 0x3c8cd2523567f613u,
    0x3fefd9b0d3158574u, 0xbc8bce8023f98efau, 0x3fefd06b29ddf6deu,
    0x3c60f74e61e6c861u, 0x3fefc74518759bc8u, 0x3c90a3e45b33d399u,
    0x3fefbe3ecac6f383u, 0x3c979aa65d837b6du, 0x3fefb5586cf9890fu,
    0x3c8eb51a92fdeffcu, 0x3fefac922b7247f7u, 0x3c3ebe3d702f9cd1u,
    0x3fefa3ec32d3d1a2u, 0xbc6a033489906e0bu, 0x3fef9b66affed31bu,
    0xbc9556522a2fbd0eu, 0x3fef9301d0125b51u, 0xbc5080ef8c4eea55u,
    0x3fef8abdc06c31ccu, 0xbc91c923b9d5f416u, 0x3fef829aaea92de0u,
    0x3c80d3e3e95c55afu, 0x3fef7a98c8a58e51u, 0xbc801b15eaa59348u,
    0x3fef72b83c7d517bu, 0xbc8f1ff055de323du, 0x3fef6af9388c8deau,
    0x3c8b898c3f1353bfu, 0x3fef635beb6fcb75u, 0xbc96d99c7611eb26u,
    0x3fef5be084045cd4u, 0x3c9aecf73e3a2f60u, 0x3fef54873168b9aau,
    0xbc8fe782cb86389du, 0x3fef4d5022fcd91du, 0x3c8a6f4144a6c38du,
    0x3fef463b88628cd6u, 0x3c807a05b0e4047du, 0x3fef3f49917ddc96u,
    0x3c968efde3a8a894u, 0x3fef387a6e756238u, 0x3c875e18f274487du,
    0x3fef31ce4fb2a63fu, 0x3c80472b981fe7f2u, 0x3fef2b4565e27cddu,
    0xbc96b87b3f71085eu, 0x3fef24dfe1f56381u, 0x3c82f7e16d09ab31u,
    0x3fef1e9df51fdee1u, 0xbc3d219b1a6fbffau, 0x3fef187fd0dad990u,
    0x3c8b3782720c0ab4u, 0x3fef1285a6e4030bu, 0x3c6e149289cecb8fu,
    0x3fef0cafa93e2f56u, 0x3c834d754db0abb6u, 0x3fef06fe0a31b715u,
    0x3c864201e2ac744cu, 0x3fef0170fc4cd831u, 0x3c8fdd395dd3f84au,
    0x3feefc08b26416ffu, 0xbc86a3803b8e5b04u, 0x3feef6c55f929ff1u,
    0xbc924aedcc4b5068u, 0x3feef1a7373aa9cbu, 0xbc9907f81b512d8eu,
    0x3feeecae6d05d866u, 0xbc71d1e83e9436d2u, 0x3feee7db34e59ff7u,
    0xbc991919b3ce1b15u, 0x3feee32dc313a8e5u, 0x3c859f48a72a4c6du,
    0x3feedea64c123422u, 0xbc9312607a28698au, 0x3feeda4504ac801cu,
    0xbc58a78f4817895bu, 0x3feed60a21f72e2au, 0xbc7c2c9b67499a1bu,
    0x3feed1f5d950a897u, 0x3c4363ed60c2ac11u, 0x3feece086061892du,
    0x3c9666093b0664efu, 0x3feeca41ed1d0057u, 0x3c6ecce1daa10379u,
    0x3feec6a2b5c13cd0u, 0x3c93ff8e3f0f1230u, 0x3feec32af0d7d3deu,
    0x3c7690cebb7aafb0u, 0x3feebfdad5362a27u, 0x3c931dbdeb54e077u,
    0x3feebcb299fddd0du, 0xbc8f94340071a38eu, 0x3feeb9b2769d2ca7u,
    0xbc87deccdc93a349u, 0x3feeb6daa2cf6642u, 0xbc78dec6bd0f385fu,
    0x3feeb42b569d4f82u, 0xbc861246ec7b5cf6u, 0x3feeb1a4ca5d920fu,
    0x3c93350518fdd78eu, 0x3feeaf4736b527dau, 0x3c7b98b72f8a9b05u,
    0x3feead12d497c7fdu, 0x3c9063e1e21c5409u, 0x3feeab07dd485429u,
    0x3c34c7855019c6eau, 0x3feea9268a5946b7u, 0x3c9432e62b64c035u,
    0x3feea76f15ad2148u, 0xbc8ce44a6199769fu, 0x3feea5e1b976dc09u,
    0xbc8c33c53bef4da8u, 0x3feea47eb03a5585u, 0xbc845378892be9aeu,
    0x3feea34634ccc320u, 0xbc93cedd78565858u, 0x3feea23882552225u,
    0x3c5710aa807e1964u, 0x3feea155d44ca973u, 0xbc93b3efbf5e2228u,
    0x3feea09e667f3bcdu, 0xbc6a12ad8734b982u, 0x3feea012750bdabfu,
    0xbc6367efb86da9eeu, 0x3fee9fb23c651a2fu, 0xbc80dc3d54e08851u,
    0x3fee9f7df9519484u, 0xbc781f647e5a3ecfu, 0x3fee9f75e8ec5f74u,
    0xbc86ee4ac08b7db0u, 0x3fee9f9a48a58174u, 0xbc8619321e55e68au,
    0x3fee9feb564267c9u, 0x3c909ccb5e09d4d3u, 0x3feea0694fde5d3fu,
    0xbc7b32dcb94da51du, 0x3feea11473eb0187u, 0x3c94ecfd5467c06bu,
    0x3feea1ed0130c132u, 0x3c65ebe1abd66c55u, 0x3feea2f336cf4e62u,
    0xbc88a1c52fb3cf42u, 0x3feea427543e1a12u, 0xbc9369b6f13b3734u,
    0x3feea589994cce13u, 0xbc805e843a19ff1eu, 0x3feea71a4623c7adu,
    0xbc94d450d872576eu, 0x3feea8d99b4492edu, 0x3c90ad675b0e8a00u,
    0x3feeaac7d98a6699u, 0x3c8db72fc1f0eab4u, 0x3feeace5422aa0dbu,
    0xbc65b6609cc5e7ffu, 0x3feeaf3216b5448cu, 0x3c7bf68359f35f44u,
    0x3feeb1ae99157736u, 0xbc93091fa71e3d83u, 0x3feeb45b0b91ffc6u,
    0xbc5da9b88b6c1e29u, 0x3feeb737b0cdc5e5u, 0xbc6c23f97c90b959u,
    0x3feeba44cbc8520fu, 0xbc92434322f4f9aau, 0x3feebd829fde4e50u,
    0xbc85ca6cd7668e4bu, 0x3feec0f170ca07bau, 0x3c71affc2b91ce27u,
    0x3feec49182a3f090u, 0x3c6dd235e10a73bbu, 0x3feec86319e32323u,
    0xbc87c50422622263u, 0x3feecc667b5de565u, 0x3c8b1c86e3e231d5u,
    0x3feed09bec4a2d33u, 0xbc91bbd1d3bcbb15u, 0x3feed503b23e255du,
    0x3c90cc319cee31d2u, 0x3feed99e1330b358u, 0x3c8469846e735ab3u,
    0x3feede6b5579fdbfu, 0xbc82dfcd978e9db4u, 0x3feee36bbfd3f37au,
    0x3c8c1a7792cb3387u, 0x3feee89f995ad3adu, 0xbc907b8f4ad1d9fau,
    0x3feeee07298db666u, 0xbc55c3d956dcaebau, 0x3feef3a2b84f15fbu,
    0xbc90a40e3da6f640u, 0x3feef9728de5593au, 0xbc68d6f438ad9334u,
    0x3feeff76f2fb5e47u, 0xbc91eee26b588a35u, 0x3fef05b030a1064au,
    0x3c74ffd70a5fddcdu, 0x3fef0c1e904bc1d2u, 0xbc91bdfbfa9298acu,
    0x3fef12c25bd71e09u, 0x3c736eae30af0cb3u, 0x3fef199bdd85529cu,
    0x3c8ee3325c9ffd94u, 0x3fef20ab5fffd07au, 0x3c84e08fd10959acu,
    0x3fef27f12e57d14bu, 0x3c63cdaf384e1a67u, 0x3fef2f6d9406e7b5u,
    0x3c676b2c6c921968u, 0x3fef3720dcef9069u, 0xbc808a1883ccb5d2u,
    0x3fef3f0b555dc3fau, 0xbc8fad5d3ffffa6fu, 0x3fef472d4a07897cu,
    0xbc900dae3875a949u, 0x3fef4f87080d89f2u, 0x3c74a385a63d07a7u,
    0x3fef5818dcfba487u, 0xbc82919e2040220fu, 0x3fef60e316c98398u,
    0x3c8e5a50d5c192acu, 0x3fef69e603db3285u, 0x3c843a59ac016b4bu,
    0x3fef7321f301b460u, 0xbc82d52107b43e1fu, 0x3fef7c97337b9b5fu,
    0xbc892ab93b470dc9u, 0x3fef864614f5a129u, 0x3c74b604603a88d3u,
    0x3fef902ee78b3ff6u, 0x3c83c5ec519d7271u, 0x3fef9a51fbc74c83u,
    0xbc8ff7128fd391f0u, 0x3fefa4afa2a490dau, 0xbc8dae98e223747du,
    0x3fefaf482d8e67f1u, 0x3c8ec3bc41aa2008u, 0x3fefba1bee615a27u,
    0x3c842b94c3a9eb32u, 0x3fefc52b376bba97u, 0x3c8a64a931d185eeu,
    0x3fefd0765b6e4540u, 0xbc8e37bae43be3edu, 0x3fefdbfdad9cbe14u,
    0x3c77893b4d91cd9du, 0x3fefe7c1819e90d8u, 0x3c5305c14160cc89u,
    0x3feff3c22b8f71f1u,
};

double ipsim_variates_normal_rest(ipsim_stream *s, uint32_t w)
{
    for (;;) {
        unsigned i = w & 0x7Fu;
        uint32_t j = w >> 8;
        double sign = (double)(int)((w >> 6) & 2u) - 1.0;
        double x = (double)j * zig_w[i];
        if (j < zig_k[i])
            return sign * x;
        if (i < ZIG_LAYERS - 1) {
            /* the wedge of layer i, right of e_{i-1} */
            double y = zig_y[i + 1] + (zig_y[i] - zig_y[i + 1]) * ipsim_stream_uniform(s);
            if (y < ipsim_variates_exp(-0.5 * x * x))
                return sign * x;
        } else {
            /* the tail beyond r (Marsaglia 1964) */
            double xt, yt;
            do {
                xt = -log(ipsim_stream_uniform(s)) / ZIG_R;
                yt = -log(ipsim_stream_uniform(s));
            } while (yt + yt < xt * xt);
            return sign * (ZIG_R + xt);
        }
        w = ipsim_stream_u32(s);
    }
}

void ipsim_variates_gamma_prep(ipsim_variates_gamma_shape *g, double shape)
{
    g->boost = shape < 1.0;
    g->d = (g->boost ? shape + 1.0 : shape) - 1.0 / 3.0;
    g->c = 1.0 / sqrt(9.0 * g->d);
    g->inv_shape = 1.0 / shape;
}

/* Marsaglia and Tsang (2000), "A simple method for generating gamma
 * variables": the squeeze 1 - 0.0331 x^4 accepts ~97 % of draws with no
 * log; for a < 1, Gamma(a) = Gamma(a + 1) U^(1/a). */
double ipsim_variates_gamma(ipsim_stream *s, const ipsim_variates_gamma_shape *g)
{
    double x, v, u;
    for (;;) {
        do {
            x = ipsim_variates_normal(s);
            v = 1.0 + g->c * x;
        } while (v <= 0.0);
        v = v * v * v;
        u = ipsim_stream_uniform(s);
        if (ipsim_variates_gamma_accepts(g, x, v, u))
            break;
    }
    double r = g->d * v;
    if (g->boost)
        r *= ipsim_variates_exp(log(ipsim_stream_uniform(s)) * g->inv_shape);
    return r;
}

static double log_factorial(double k)
{
    return k <= 170.0 ? gsl_sf_lnfact((unsigned)k) : gsl_sf_lngamma(k + 1.0);
}

/* Hormann (1993), "The transformed rejection method for generating Poisson
 * random variables" (PTRS). */
unsigned ipsim_variates_poisson_ptrs(ipsim_stream *s, double mu)
{
    double slam = sqrt(mu), loglam = log(mu);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double log_inv_alpha = log(1.1239 + 1.1328 / (b - 3.4));
    double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = ipsim_stream_uniform(s) - 0.5;
        double v = ipsim_stream_uniform(s);
        double us = 0.5 - fabs(u); /* > 0: uniforms are never 0 or 1 */
        double k = floor((2.0 * a / us + b) * u + mu + 0.43);
        if (us >= 0.07 && v <= vr)
            return k < 4294967295.0 ? (unsigned)k : 4294967295u;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log_inv_alpha - log(a / (us * us) + b) <= -mu + k * loglam - log_factorial(k))
            return k < 4294967295.0 ? (unsigned)k : 4294967295u;
    }
}

const double ipsim_variates_recip[IPSIM_VARIATES_RECIP] = {
    0.0,      1.0 / 1,  1.0 / 2,  1.0 / 3,  1.0 / 4,  1.0 / 5,  1.0 / 6,  1.0 / 7,
    1.0 / 8,  1.0 / 9,  1.0 / 10, 1.0 / 11, 1.0 / 12, 1.0 / 13, 1.0 / 14, 1.0 / 15,
    1.0 / 16, 1.0 / 17, 1.0 / 18, 1.0 / 19, 1.0 / 20, 1.0 / 21, 1.0 / 22, 1.0 / 23,
    1.0 / 24, 1.0 / 25, 1.0 / 26, 1.0 / 27, 1.0 / 28, 1.0 / 29, 1.0 / 30, 1.0 / 31,
    1.0 / 32, 1.0 / 33, 1.0 / 34, 1.0 / 35, 1.0 / 36, 1.0 / 37, 1.0 / 38, 1.0 / 39,
    1.0 / 40, 1.0 / 41, 1.0 / 42, 1.0 / 43, 1.0 / 44, 1.0 / 45, 1.0 / 46, 1.0 / 47,
    1.0 / 48, 1.0 / 49, 1.0 / 50, 1.0 / 51, 1.0 / 52, 1.0 / 53, 1.0 / 54, 1.0 / 55,
    1.0 / 56, 1.0 / 57, 1.0 / 58, 1.0 / 59, 1.0 / 60, 1.0 / 61, 1.0 / 62, 1.0 / 63,
};

/* The walk beyond P(N <= 3) = cdf, with p = P(N = 3). */
unsigned ipsim_variates_poisson_tail(double u, double mu, double p, double cdf)
{
    unsigned k = 3;
    while (u > cdf && p > 0.0) {
        k++;
        p *= mu * (k < IPSIM_VARIATES_RECIP ? ipsim_variates_recip[k] : 1.0 / (double)k);
        cdf += p;
    }
    return k;
}

unsigned ipsim_variates_poisson(ipsim_stream *s, double mu)
{
    if (mu >= IPSIM_VARIATES_POISSON_PTRS)
        return ipsim_variates_poisson_ptrs(s, mu);
    return mu > 0.0 ? ipsim_variates_poisson_inv(ipsim_stream_u32(s), mu) : 0;
}

uint64_t ipsim_variates_threshold(double p)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)ceil(p * 4294967296.0);
}

#ifdef HAVE_AVX2_PATH
/* ipsim_variates_exp on four lanes; lanes with |x| >= 512 or NaN are left
 * to the scalar function (its exp() call), so the result is the same. */
__attribute__((target("avx2"))) static size_t exp_avx2(const double *x, double *y, size_t n)
{
    const __m256d shift = _mm256_set1_pd(0x1.8p52), inv_ln2n = _mm256_set1_pd(0x1.71547652b82fep7);
    const __m256d ln2hi = _mm256_set1_pd(-0x1.62e42fefa0000p-8);
    const __m256d ln2lo = _mm256_set1_pd(-0x1.cf79abc9e3b3ap-47);
    const __m256d c2 = _mm256_set1_pd(0x1.ffffffffffdbdp-2), c3 = _mm256_set1_pd(0x1.555555555543cp-3);
    const __m256d c4 = _mm256_set1_pd(0x1.55555cf172b91p-5), c5 = _mm256_set1_pd(0x1.1111167a4d017p-7);
    const __m256d lim = _mm256_set1_pd(512.0);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    const __m256i idx_mask = _mm256_set1_epi64x(IPSIM_VARIATES_EXP_N - 1);
    const long long *tab = (const long long *)ipsim_variates_exp_tab;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        __m256d xv = _mm256_loadu_pd(x + k);
        __m256d z = _mm256_mul_pd(inv_ln2n, xv), kd = _mm256_add_pd(z, shift);
        __m256i ki = _mm256_castpd_si256(kd);
        kd = _mm256_sub_pd(kd, shift);
        __m256d r = _mm256_add_pd(_mm256_add_pd(xv, _mm256_mul_pd(kd, ln2hi)), _mm256_mul_pd(kd, ln2lo));
        __m256i idx = _mm256_slli_epi64(_mm256_and_si256(ki, idx_mask), 1);
        __m256d tail = _mm256_castsi256_pd(_mm256_i64gather_epi64(tab, idx, 8));
        __m256i sb = _mm256_i64gather_epi64(tab + 1, idx, 8);
        __m256d scale = _mm256_castsi256_pd(_mm256_add_epi64(sb, _mm256_slli_epi64(ki, 45)));
        __m256d r2 = _mm256_mul_pd(r, r);
        __m256d p = _mm256_add_pd(_mm256_add_pd(tail, r),
                                  _mm256_mul_pd(r2, _mm256_add_pd(c2, _mm256_mul_pd(r, c3))));
        p = _mm256_add_pd(p, _mm256_mul_pd(_mm256_mul_pd(r2, r2), _mm256_add_pd(c4, _mm256_mul_pd(r, c5))));
        _mm256_storeu_pd(y + k, _mm256_add_pd(scale, _mm256_mul_pd(scale, p)));
        /* |x| < 512 is false for large x and NaN alike */
        int big = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_and_pd(xv, abs_mask), lim, _CMP_NLT_UQ));
        if (big)
            for (int j = 0; j < 4; j++)
                if (big >> j & 1)
                    y[k + j] = exp(x[k + j]);
    }
    return k;
}
#endif

void ipsim_variates_exp_n(const double *x, double *y, size_t n)
{
    size_t k = 0;
#ifdef HAVE_AVX2_PATH
    if (__builtin_cpu_supports("avx2"))
        k = exp_avx2(x, y, n);
#endif
    for (; k < n; k++)
        y[k] = ipsim_variates_exp(x[k]);
}
